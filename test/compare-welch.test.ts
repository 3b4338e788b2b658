import assert from 'node:assert/strict';
import { test } from 'node:test';
import { lnGamma, mean, regularizedIncompleteBeta, studentTCdf, studentTTwoSided, variance, welchTTest } from '../src/compare/welch.ts';

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
  close(regularizedIncompleteBeta(0.1, 10, 10), binomialTail(19, 0.1, 10), 1e-12, 'I_0.1(10,10) = P(Bin(19,0.1) >= 10)');
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
