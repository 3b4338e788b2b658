import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  ciHalfWidth,
  lnGamma,
  mannKendall,
  mean,
  modifiedZScores,
  normalSf,
  outlierIndices,
  quantile,
  regularizedIncompleteBeta,
  rmePercent,
  studentTCdf,
  studentTQuantile,
  studentTTwoSided,
  summarize,
  variance,
  welchTTest,
} from '../../src/analysis/statistics.ts';

/*
 * Where the expected values come from:
 * - closed forms (exact identities), computed here in the test:
 *     I_x(1,1) = x;  I_x(a,1) = x^a;  I_x(1,b) = 1 - (1-x)^b;  I_x(1/2,1/2) = (2/pi) asin(sqrt x);
 *     I_{1/2}(a,a) = 1/2;  for integers a, b: I_x(a,b) = P(Binomial(a+b-1, x) >= a);
 *     Student t, df = 1 (Cauchy): F(t) = 1/2 + atan(t)/pi;  df = 2: F(t) = 1/2 + t / (2 sqrt(2 + t^2)).
 *     ln Gamma(1/2) = ln sqrt(pi), ln Gamma(10) = ln 9!, ln Gamma(5/2) = ln(3/4 sqrt(pi)).
 * - printed t tables (two-sided p): t = 2.228 at df = 10 -> 0.05; 3.169 at df = 10 -> 0.01; 12.706 at df = 1 -> 0.05.
 *   The tables round t to 3 decimals, so the exact p at those t (below) is from
 *   SciPy 1.17.1 on this machine: 2 * scipy.stats.t.sf(2.228, 10) = 0.05001177181711132,
 *   2 * t.sf(3.169, 10) = 0.010004633364384856, 2 * t.sf(12.706, 1) = 0.05000080235813319.
 * - fractional df and non-closed-form points, SciPy 1.17.1 (scipy.stats.t.cdf, scipy.special.betainc):
 *   t.cdf(2.0, 5.5) = 0.9516228048844075;  t.cdf(-1.5, 3) = 0.11529193262241147;  t.cdf(4.0, 2.3) = 0.9774260045080091;
 *   betainc(5, 0.5, 0.9) = 0.3166429150200122;  betainc(30, 0.5, 0.7) = 4.077210994660554e-06.
 */
const TOL = 1e-6;

function close(actual: number, expected: number, tol: number, what: string): void {
  assert.ok(Math.abs(actual - expected) <= tol, `${what}: ${actual} != ${expected} (tolerance ${tol})`);
}

function binomialTail(n: number, p: number, k: number): number {
  let sum = 0;
  for (let j = k; j <= n; j++) {
    let c = 1;
    for (let i = 0; i < j; i++) c = (c * (n - i)) / (i + 1);
    sum += c * p ** j * (1 - p) ** (n - j);
  }
  return sum;
}

test('lnGamma matches exact values', () => {
  close(lnGamma(1), 0, 1e-12, 'lnGamma(1)');
  close(lnGamma(2), 0, 1e-12, 'lnGamma(2)');
  close(lnGamma(0.5), Math.log(Math.sqrt(Math.PI)), 1e-12, 'lnGamma(1/2)');
  close(lnGamma(2.5), Math.log(0.75 * Math.sqrt(Math.PI)), 1e-12, 'lnGamma(5/2)');
  close(lnGamma(10), Math.log(362880), 1e-10, 'lnGamma(10)');
  // Gamma(0.1) = 9.513507698668732 (recurrence: Gamma(1.1) / 0.1, Gamma(1.1) = 0.9513507698668732)
  close(lnGamma(0.1), Math.log(9.513507698668732), 1e-10, 'lnGamma(0.1)');
});

test('regularized incomplete beta at closed-form points', () => {
  for (const x of [0.01, 0.25, 0.5, 0.8, 0.99]) {
    close(regularizedIncompleteBeta(x, 1, 1), x, TOL, `I_${x}(1,1)`);
    close(regularizedIncompleteBeta(x, 3.5, 1), x ** 3.5, TOL, `I_${x}(3.5,1)`);
    close(regularizedIncompleteBeta(x, 1, 2.5), 1 - (1 - x) ** 2.5, TOL, `I_${x}(1,2.5)`);
    close(regularizedIncompleteBeta(x, 0.5, 0.5), (2 / Math.PI) * Math.asin(Math.sqrt(x)), TOL, `I_${x}(1/2,1/2)`);
  }
  close(regularizedIncompleteBeta(0.5, 7.3, 7.3), 0.5, TOL, 'I_0.5(a,a)');
  close(regularizedIncompleteBeta(0.5, 2, 3), 11 / 16, TOL, 'I_0.5(2,3) = P(Bin(4,1/2) >= 2)');
  close(
    regularizedIncompleteBeta(0.1, 10, 10),
    binomialTail(19, 0.1, 10),
    1e-12,
    'I_0.1(10,10) = P(Bin(19,0.1) >= 10)',
  );
  close(regularizedIncompleteBeta(0.7, 4, 6), binomialTail(9, 0.7, 4), TOL, 'I_0.7(4,6)');
  assert.equal(regularizedIncompleteBeta(0, 2, 3), 0);
  assert.equal(regularizedIncompleteBeta(1, 2, 3), 1);
});

test('regularized incomplete beta at SciPy reference points', () => {
  close(regularizedIncompleteBeta(0.9, 5, 0.5), 0.3166429150200122, TOL, 'I_0.9(5,1/2)');
  close(regularizedIncompleteBeta(0.7, 30, 0.5), 4.077210994660554e-6, 1e-12, 'I_0.7(30,1/2)');
});

test('Student t CDF: closed forms for df 1 and 2', () => {
  for (const t of [-20, -3, -1, -0.2, 0, 0.5, 1, 2.5, 40]) {
    close(studentTCdf(t, 1), 0.5 + Math.atan(t) / Math.PI, TOL, `F(${t}; df 1)`);
    close(studentTCdf(t, 2), 0.5 + t / (2 * Math.sqrt(2 + t * t)), TOL, `F(${t}; df 2)`);
  }
  close(studentTCdf(1, 1), 0.75, TOL, 'F(1; 1)');
  close(studentTTwoSided(1, 1), 0.5, TOL, 'two-sided p at t = 1, df = 1');
  close(studentTCdf(0, 7.7), 0.5, TOL, 'F(0)');
});

test('Student t two-sided p: table values', () => {
  close(studentTTwoSided(2.228, 10), 0.05001177181711132, TOL, 't 2.228 df 10');
  close(studentTTwoSided(3.169, 10), 0.010004633364384856, TOL, 't 3.169 df 10');
  close(studentTTwoSided(-12.706, 1), 0.05000080235813319, TOL, 't 12.706 df 1');
  // The table's rounding: the same points are within 1e-4 of the round numbers.
  close(studentTTwoSided(2.228, 10), 0.05, 1e-4, 't 2.228 df 10 ~ 0.05');
  close(studentTTwoSided(3.169, 10), 0.01, 1e-4, 't 3.169 df 10 ~ 0.01');
});

test('Student t CDF: fractional df (SciPy)', () => {
  close(studentTCdf(2.0, 5.5), 0.9516228048844075, TOL, 'F(2; 5.5)');
  close(studentTCdf(-1.5, 3), 0.11529193262241147, TOL, 'F(-1.5; 3)');
  close(studentTCdf(4.0, 2.3), 0.9774260045080091, TOL, 'F(4; 2.3)');
  assert.equal(studentTTwoSided(Infinity, 4), 0);
});

test('mean and sample variance', () => {
  assert.equal(mean([1, 2, 3, 4, 5]), 3);
  assert.equal(variance([1, 2, 3, 4, 5]), 2.5); // (4 + 1 + 0 + 1 + 4) / 4
  assert.equal(variance([2, 4, 6, 8, 10]), 10); // (16 + 4 + 0 + 4 + 16) / 4
  assert.ok(Number.isNaN(mean([])));
  assert.ok(Number.isNaN(variance([7])));
});

test('Welch worked example: [1..5] vs [2,4,..,10]', () => {
  // By hand: means 3 and 6, variances 2.5 and 10, n = 5 each.
  // se^2 = 2.5/5 + 10/5 = 2.5, t = (3 - 6) / sqrt(2.5) = -1.8973665961010275.
  // df = se^4 / ((0.5)^2/4 + 2^2/4) = 6.25 / 1.0625 = 100/17 = 5.882352941176471.
  // p: scipy.stats.ttest_ind(a, b, equal_var=False).pvalue = 0.10753119493062728 (R's t.test prints p-value = 0.1075).
  const r = welchTTest([1, 2, 3, 4, 5], [2, 4, 6, 8, 10]);
  close(r.t, -3 / Math.sqrt(2.5), 1e-12, 't');
  close(r.df, 100 / 17, 1e-12, 'df');
  close(r.p, 0.10753119493062728, TOL, 'p');
  const swapped = welchTTest([2, 4, 6, 8, 10], [1, 2, 3, 4, 5]);
  close(swapped.t, 3 / Math.sqrt(2.5), 1e-12, 't swapped');
  close(swapped.p, r.p, 1e-15, 'p is symmetric');
});

test('Welch with one constant sample: df = n - 1 of the other', () => {
  // a = [-1, 1]: mean 0, variance 2, se^2 = 2/2 = 1; b constant -1: t = (0 - -1) / 1 = 1, df = 1 -> p = 0.5 (Cauchy).
  const r = welchTTest([-1, 1], [-1, -1, -1]);
  assert.deepEqual({ t: r.t, df: r.df }, { t: 1, df: 1 });
  close(r.p, 0.5, TOL, 'p');
});

test('Welch edge cases: n < 2 never significant; zero variance in both', () => {
  for (const r of [welchTTest([1], [1, 2, 3]), welchTTest([1, 2, 3], []), welchTTest([], [])]) {
    assert.ok(Number.isNaN(r.p) && Number.isNaN(r.t), JSON.stringify(r));
    assert.equal(r.p < 0.05, false);
  }
  assert.equal(welchTTest([5, 5, 5], [5, 5]).p, 1);
  const differ = welchTTest([5, 5, 5], [4, 4]);
  assert.deepEqual({ t: differ.t, p: differ.p }, { t: Infinity, p: 0 });
});

/*
 * Reference values for the rest, made with SciPy 1.17.1 / NumPy on this machine:
 *   stats.t.ppf(0.975, 4) = 2.7764451051977934; t.ppf(0.975, 1) = 12.706204736174694;
 *   t.ppf(0.975, 29) = 2.045229642132703; t.ppf(0.995, 7.5) = 3.421422688124044
 *   stats.norm.sf(1.0) = 0.15865525393145707; sf(2.5) = 0.006209665325776132; sf(0.1) = 0.460172162722971;
 *   sf(5.0) = 2.866515718791933e-07; sf(-1.3) = 0.9031995154143897
 *   x = [1402.1, 1388.5, 1420.9, 1395.3, 1411.0, 1379.8]:
 *     t.ppf(0.975, 5) * np.std(x, ddof=1) / sqrt(6) = 15.732016837956163, mean 1399.6, sd 14.990930591527702
 *   stats.ttest_ind([1500,1520,1490,1510,1505], [1400,1450,1380,1420,1435], equal_var=False):
 *     t = 6.577428816217036, p = 0.000998202185705801, df = 5.265354751242759
 *   ttest_ind([1000,1040,980,1010,1025,995], [990,1030,1005,985,1012,1001], equal_var=False):
 *     t = 0.40851923211197405, p = 0.6921751008656687, df = 9.2633778880415
 *   np.quantile([5,1,4,2,3], 0.99) = 4.96
 *   Mann-Kendall of RISING below: stats.kendalltau(range(10), RISING) = 0.8222 -> S = 0.8222 * 45 = 37;
 *     with continuity correction, 2 * norm.sf(36 / sqrt(125)) = 0.0012821837418053048
 */
test('Student t quantiles (the CI critical values) match SciPy', () => {
  close(studentTQuantile(0.975, 4), 2.7764451051977934, 1e-9, 't.ppf(0.975, 4)');
  close(studentTQuantile(0.975, 1), 12.706204736174694, 1e-8, 't.ppf(0.975, 1)');
  close(studentTQuantile(0.975, 29), 2.045229642132703, 1e-9, 't.ppf(0.975, 29)');
  close(studentTQuantile(0.995, 7.5), 3.421422688124044, 1e-9, 't.ppf(0.995, 7.5)');
  close(studentTQuantile(0.025, 4), -2.7764451051977934, 1e-9, 't.ppf(0.025, 4)');
});

test('normal upper tail matches SciPy', () => {
  close(normalSf(1), 0.15865525393145707, 1e-12, 'sf(1)');
  close(normalSf(2.5), 0.006209665325776132, 1e-12, 'sf(2.5)');
  close(normalSf(0.1), 0.460172162722971, 1e-12, 'sf(0.1)');
  close(normalSf(5), 2.866515718791933e-7, 1e-15, 'sf(5)');
  close(normalSf(-1.3), 0.9031995154143897, 1e-12, 'sf(-1.3)');
});

test('summary: mean, sd, 95% CI half-width with Student t, rme', () => {
  const x = [1402.1, 1388.5, 1420.9, 1395.3, 1411.0, 1379.8];
  const s = summarize(x);
  close(s.mean, 1399.6, 1e-9, 'mean');
  close(s.sd, 14.990930591527702, 1e-9, 'sd');
  close(s.ciHalfWidth, 15.732016837956163, 1e-8, 'half-width');
  close(ciHalfWidth(x), 15.732016837956163, 1e-8, 'ciHalfWidth');
  close(s.rmePercent, (15.732016837956163 / 1399.6) * 100, 1e-8, 'rme');
  close(rmePercent(x), s.rmePercent, 1e-12, 'rmePercent');
  assert.equal(s.n, 6);
  assert.equal(s.min, 1379.8);
  assert.equal(s.max, 1420.9);
  close(quantile([5, 1, 4, 2, 3], 0.99), 4.96, 1e-12, 'p99');
  assert.ok(Number.isNaN(summarize([7]).ciHalfWidth), 'one sample has no interval');
  assert.equal(summarize([7]).sd, 0);
});

test('Welch t-test p-values match SciPy ttest_ind(equal_var=False)', () => {
  const a = welchTTest([1500, 1520, 1490, 1510, 1505], [1400, 1450, 1380, 1420, 1435]);
  close(a.t, 6.577428816217036, 1e-9, 't');
  close(a.df, 5.265354751242759, 1e-9, 'df');
  close(a.p, 0.000998202185705801, 1e-9, 'p');
  const b = welchTTest([1000, 1040, 980, 1010, 1025, 995], [990, 1030, 1005, 985, 1012, 1001]);
  close(b.t, 0.40851923211197405, 1e-9, 't2');
  close(b.df, 9.2633778880415, 1e-9, 'df2');
  close(b.p, 0.6921751008656687, 1e-9, 'p2');
});

test('modified Z-score outliers: exactly the far values (MAD, 3.5 as hyperfine)', () => {
  // median 100, |deviations| 0,1,1,2,2,3,3,60,40 -> MAD 2; z = 0.6745 * d / 2: 160 -> 20.2, 60 -> -13.5, 103 -> 1.01
  const x = [100, 101, 99, 102, 98, 103, 97, 160, 60];
  assert.deepEqual(outlierIndices(x), [7, 8]);
  close(modifiedZScores(x)[7]!, (0.6745 * 60) / 2, 1e-12, 'z of 160');
  // 107: z = 0.6745 * 7 / 2 = 2.36, not an outlier; 108.5: 0.6745 * 8.5 / 2 = 2.87; 111: 3.71 is
  assert.deepEqual(outlierIndices([100, 101, 99, 102, 98, 103, 97, 107]), []);
  assert.deepEqual(outlierIndices([100, 101, 99, 102, 98, 103, 97, 111]), [7]);
  assert.deepEqual(outlierIndices([5, 5, 5, 5, 9]), [], 'MAD 0: nothing is called unusual');
});

const RISING = [1000, 1030, 1010, 1060, 1050, 1090, 1080, 1120, 1110, 1150];
const FLAT_NOISY = [1400, 1460, 1380, 1450, 1390, 1440, 1410, 1430, 1370, 1455];

test('Mann-Kendall: a rising series is a trend, a flat noisy one is not', () => {
  const r = mannKendall(RISING);
  assert.equal(r.s, 37);
  close(r.p, 0.0012821837418053048, 1e-12, 'p');
  assert.equal(r.trend, 'rising');
  assert.equal(mannKendall([...RISING].reverse()).trend, 'falling');
  const f = mannKendall(FLAT_NOISY);
  assert.equal(f.s, -1);
  assert.equal(f.trend, 'none');
  // significant but tiny: 0.1% end to end is no warning
  assert.equal(
    mannKendall([1000, 1000.1, 1000.2, 1000.3, 1000.4, 1000.5, 1000.6, 1000.7, 1000.8, 1000.9]).trend,
    'none',
  );
  assert.equal(mannKendall([1, 2]).trend, 'none', 'too short to tell');
});
