/**
 * The suite's one statistics module: every mean, spread, confidence interval,
 * significance test, outlier and trend check of a run, compare and report is
 * computed here. The Student-t and normal distributions are computed here too
 * (regularized incomplete beta by continued fraction, log-gamma by Lanczos),
 * so the suite needs no statistics dependency. Pure functions; reference
 * values in test/unit/statistics.test.ts come from SciPy.
 */

export interface WelchResult {
  /** (mean(a) - mean(b)) / standard error; NaN when either sample has fewer than 2 values. */
  readonly t: number;
  /** Welch–Satterthwaite degrees of freedom; NaN when undefined (n < 2, or no variance in either sample). */
  readonly df: number;
  /** Two-sided p-value; NaN when either sample has fewer than 2 values (never significant). */
  readonly p: number;
}

/** Arithmetic mean; NaN for no values. */
export function mean(values: readonly number[]): number {
  if (values.length === 0) return NaN;
  let sum = 0;
  for (const v of values) sum += v;
  return sum / values.length;
}

/** The middle value (mean of the two middle ones for an even count); NaN for none. */
export function median(values: readonly number[]): number {
  const s = [...values].sort((a, b) => a - b);
  const m = s.length >> 1;
  if (s.length === 0) return NaN;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

/** The q-quantile (0..1) by linear interpolation between order statistics (NumPy's default); NaN for none. */
export function quantile(values: readonly number[], q: number): number {
  const s = [...values].sort((a, b) => a - b);
  if (s.length === 0) return NaN;
  const pos = (s.length - 1) * q;
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  return s[lo]! + (s[hi]! - s[lo]!) * (pos - lo);
}

/** Sample variance (divides by n - 1); NaN for fewer than 2 values. */
export function variance(values: readonly number[]): number {
  if (values.length < 2) return NaN;
  const m = mean(values);
  let ss = 0;
  for (const v of values) ss += (v - m) * (v - m);
  return ss / (values.length - 1);
}

// Lanczos approximation, g = 7, 9 coefficients (Numerical Recipes / Boost's
// well-known set): about 15 significant digits for x > 0.
const LANCZOS_G = 7;
const LANCZOS = [
  0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059,
  12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7,
] as const;

/** ln Γ(x) for x > 0. */
export function lnGamma(x: number): number {
  if (!(x > 0)) return NaN;
  // Reflection keeps the series in the range where it is accurate.
  if (x < 0.5) return Math.log(Math.PI / Math.sin(Math.PI * x)) - lnGamma(1 - x);
  const z = x - 1;
  let sum = LANCZOS[0];
  for (let i = 1; i < LANCZOS.length; i++) sum += LANCZOS[i]! / (z + i);
  const t = z + LANCZOS_G + 0.5;
  return 0.5 * Math.log(2 * Math.PI) + (z + 0.5) * Math.log(t) - t + Math.log(sum);
}

const CF_MAX_ITERATIONS = 500;
const CF_EPSILON = 1e-15;
const CF_TINY = 1e-300;

/** The continued fraction of I_x(a, b) (Numerical Recipes' betacf), evaluated with the modified Lentz method. */
function betaContinuedFraction(x: number, a: number, b: number): number {
  const qab = a + b;
  const qap = a + 1;
  const qam = a - 1;
  let c = 1;
  let d = 1 - (qab * x) / qap;
  if (Math.abs(d) < CF_TINY) d = CF_TINY;
  d = 1 / d;
  let h = d;
  for (let m = 1; m <= CF_MAX_ITERATIONS; m++) {
    const m2 = 2 * m;
    // even step
    let aa = (m * (b - m) * x) / ((qam + m2) * (a + m2));
    d = 1 + aa * d;
    if (Math.abs(d) < CF_TINY) d = CF_TINY;
    c = 1 + aa / c;
    if (Math.abs(c) < CF_TINY) c = CF_TINY;
    d = 1 / d;
    h *= d * c;
    // odd step
    aa = (-(a + m) * (qab + m) * x) / ((a + m2) * (qap + m2));
    d = 1 + aa * d;
    if (Math.abs(d) < CF_TINY) d = CF_TINY;
    c = 1 + aa / c;
    if (Math.abs(c) < CF_TINY) c = CF_TINY;
    d = 1 / d;
    const delta = d * c;
    h *= delta;
    if (Math.abs(delta - 1) < CF_EPSILON) return h;
  }
  return h; // not converged within the limit: the best estimate (does not happen for the t-test's arguments)
}

/** The regularized incomplete beta function I_x(a, b), for 0 <= x <= 1 and a, b > 0. */
export function regularizedIncompleteBeta(x: number, a: number, b: number): number {
  if (!(a > 0 && b > 0) || Number.isNaN(x)) return NaN;
  if (x <= 0) return 0;
  if (x >= 1) return 1;
  const lnFront = lnGamma(a + b) - lnGamma(a) - lnGamma(b) + a * Math.log(x) + b * Math.log1p(-x);
  const front = Math.exp(lnFront);
  // The fraction converges fast only for x below (a + 1) / (a + b + 2); above it use I_x(a, b) = 1 - I_{1-x}(b, a).
  if (x < (a + 1) / (a + b + 2)) return (front * betaContinuedFraction(x, a, b)) / a;
  return 1 - (front * betaContinuedFraction(1 - x, b, a)) / b;
}

/** Two-sided tail P(|T| >= |t|) of Student's t with `df` degrees of freedom (df may be fractional). */
export function studentTTwoSided(t: number, df: number): number {
  if (Number.isNaN(t) || !(df > 0)) return NaN;
  if (!Number.isFinite(t)) return 0;
  // P(|T| >= |t|) = I_{df/(df+t^2)}(df/2, 1/2), directly: no 1 - cdf cancellation in the far tail.
  return regularizedIncompleteBeta(df / (df + t * t), df / 2, 0.5);
}

/** P(T <= t) of Student's t with `df` degrees of freedom. */
export function studentTCdf(t: number, df: number): number {
  const tail = studentTTwoSided(t, df) / 2;
  return t > 0 ? 1 - tail : tail;
}

/** Sample standard deviation (n - 1); 0 for one value (no spread seen), NaN for none. */
export function sd(values: readonly number[]): number {
  if (values.length === 1) return 0;
  return Math.sqrt(variance(values));
}

/**
 * The t with P(T <= t) = p for Student's t with `df` degrees of freedom (bisection on the CDF: plenty fast for a
 * report).
 */
export function studentTQuantile(p: number, df: number): number {
  if (!(p > 0 && p < 1) || !(df > 0)) return NaN;
  if (p === 0.5) return 0;
  if (p < 0.5) return -studentTQuantile(1 - p, df);
  let lo = 0;
  let hi = 1;
  while (studentTCdf(hi, df) < p) hi *= 2;
  for (let i = 0; i < 200 && hi - lo > 1e-12 * hi; i++) {
    const mid = (lo + hi) / 2;
    if (studentTCdf(mid, df) < p) lo = mid;
    else hi = mid;
  }
  return (lo + hi) / 2;
}

/**
 * Upper tail P(Z >= z) of the standard normal, as the limit of I_x(a, 1/2) for large a: erfc by its continued fraction.
 */
export function normalSf(z: number): number {
  if (Number.isNaN(z)) return NaN;
  return 0.5 * erfc(z / Math.SQRT2);
}

/** erfc(x): series for small |x|, Lentz continued fraction for large (both to about 1e-15). */
function erfc(x: number): number {
  if (x < 0) return 2 - erfc(-x);
  if (x < 2) {
    // erf by its Taylor series: converges quickly for |x| < 2
    let term = x;
    let sum = x;
    for (let n = 1; n < 200; n++) {
      term *= (-x * x) / n;
      const add = term / (2 * n + 1);
      sum += add;
      if (Math.abs(add) < 1e-17 * Math.abs(sum)) break;
    }
    return 1 - (2 / Math.sqrt(Math.PI)) * sum;
  }
  // erfc(x) = exp(-x^2)/sqrt(pi) * 1/(x + 1/2/(x + 1/(x + 3/2/(x + ...))))
  let f = x;
  let c = x;
  let d = 0;
  for (let n = 1; n < 500; n++) {
    const a = n / 2;
    d = x + a * d;
    d = Math.abs(d) < CF_TINY ? CF_TINY : d;
    c = x + a / c;
    c = Math.abs(c) < CF_TINY ? CF_TINY : c;
    d = 1 / d;
    const delta = c * d;
    f *= delta;
    if (Math.abs(delta - 1) < CF_EPSILON) break;
  }
  return Math.exp(-x * x) / Math.sqrt(Math.PI) / f;
}

/** A sample's mean and how sure we are of it. */
export interface Summary {
  readonly n: number;
  readonly mean: number;
  readonly sd: number;
  /** Half-width of the 95% confidence interval of the mean, Student's t with n - 1 df; NaN below 2 values. */
  readonly ciHalfWidth: number;
  /** ciHalfWidth as a percentage of the mean (relative margin of error); NaN below 2 values. */
  readonly rmePercent: number;
  readonly min: number;
  readonly max: number;
  readonly p50: number;
  readonly p99: number;
}

/** The 95% confidence half-width of the mean of `values` (Student's t); NaN for fewer than 2. */
export function ciHalfWidth(values: readonly number[], confidence = 0.95): number {
  if (values.length < 2) return NaN;
  return studentTQuantile(1 - (1 - confidence) / 2, values.length - 1) * (sd(values) / Math.sqrt(values.length));
}

/** Relative margin of error: the 95% CI half-width in % of the mean. */
export function rmePercent(values: readonly number[]): number {
  const m = mean(values);
  return m === 0 ? NaN : (ciHalfWidth(values) / Math.abs(m)) * 100;
}

export function summarize(values: readonly number[]): Summary {
  const half = ciHalfWidth(values);
  const m = mean(values);
  return {
    n: values.length,
    mean: m,
    sd: sd(values),
    ciHalfWidth: half,
    rmePercent: m === 0 ? NaN : (half / Math.abs(m)) * 100,
    min: values.length > 0 ? Math.min(...values) : NaN,
    max: values.length > 0 ? Math.max(...values) : NaN,
    p50: quantile(values, 0.5),
    p99: quantile(values, 0.99),
  };
}

/** hyperfine's and Iglewicz-Hoaglin's cut-off: |modified Z| above this is an outlier. */
export const OUTLIER_Z = 3.5;

/**
 * Modified Z-scores, 0.6745 (x - median) / MAD (Iglewicz and Hoaglin): robust,
 * so one wild value cannot hide itself by inflating the sd. All 0 when MAD is 0
 * (more than half the values equal: nothing can be called unusual).
 */
export function modifiedZScores(values: readonly number[]): number[] {
  const med = median(values);
  const mad = median(values.map((v) => Math.abs(v - med)));
  if (!(mad > 0)) return values.map(() => 0);
  return values.map((v) => (0.6745 * (v - med)) / mad);
}

/** Indices (in order) of the values whose |modified Z-score| exceeds `limit`. */
export function outlierIndices(values: readonly number[], limit = OUTLIER_Z): number[] {
  return modifiedZScores(values).flatMap((z, i) => (Math.abs(z) > limit ? [i] : []));
}

export type Trend = 'none' | 'rising' | 'falling';

export interface TrendTest {
  /** Mann-Kendall S: concordant minus discordant pairs (in time order). */
  readonly s: number;
  /** S standardised with the tie-corrected variance and continuity correction. */
  readonly z: number;
  /** Two-sided p-value of no monotonic trend (normal approximation); NaN below 3 values. */
  readonly p: number;
  /**
   * Theil-Sen slope (median of pairwise slopes) times (n - 1), in % of the mean: how much the series moved end to end.
   */
  readonly changePercent: number;
  readonly trend: Trend;
}

/**
 * Mann-Kendall test for a monotonic trend over a series in time order. A trend
 * is reported only when it is significant at `alpha` and the series moved by
 * more than `minChangePercent` end to end (a tight series of many samples can
 * show a significant but harmless drift).
 */
export function mannKendall(values: readonly number[], alpha = 0.05, minChangePercent = 2): TrendTest {
  const n = values.length;
  if (n < 3) return { s: 0, z: 0, p: NaN, changePercent: 0, trend: 'none' };
  let s = 0;
  const slopes: number[] = [];
  for (let i = 0; i < n; i++) {
    for (let j = i + 1; j < n; j++) {
      s += Math.sign(values[j]! - values[i]!);
      slopes.push((values[j]! - values[i]!) / (j - i));
    }
  }
  const ties = new Map<number, number>();
  for (const v of values) ties.set(v, (ties.get(v) ?? 0) + 1);
  let tieTerm = 0;
  for (const t of ties.values()) tieTerm += t * (t - 1) * (2 * t + 5);
  const varS = (n * (n - 1) * (2 * n + 5) - tieTerm) / 18;
  const z = varS > 0 ? (s > 0 ? (s - 1) / Math.sqrt(varS) : s < 0 ? (s + 1) / Math.sqrt(varS) : 0) : 0;
  const p = 2 * normalSf(Math.abs(z));
  const m = mean(values);
  const changePercent = m === 0 ? 0 : ((median(slopes) * (n - 1)) / Math.abs(m)) * 100;
  const trend: Trend =
    p < alpha && Math.abs(changePercent) > minChangePercent ? (changePercent > 0 ? 'rising' : 'falling') : 'none';
  return { s, z, p, changePercent, trend };
}

/** Welch's unequal-variances t-test of mean(a) vs mean(b), two-sided. */
export function welchTTest(a: readonly number[], b: readonly number[]): WelchResult {
  if (a.length < 2 || b.length < 2) return { t: NaN, df: NaN, p: NaN };
  const ma = mean(a);
  const mb = mean(b);
  const sa = variance(a) / a.length;
  const sb = variance(b) / b.length;
  const se2 = sa + sb;
  if (se2 === 0) {
    // Both samples constant: the difference is certain, or there is none.
    return ma === mb ? { t: 0, df: NaN, p: 1 } : { t: ma > mb ? Infinity : -Infinity, df: NaN, p: 0 };
  }
  const t = (ma - mb) / Math.sqrt(se2);
  // Welch–Satterthwaite; a constant sample contributes nothing to either sum.
  const df = (se2 * se2) / ((sa * sa) / (a.length - 1) + (sb * sb) / (b.length - 1));
  return { t, df, p: studentTTwoSided(t, df) };
}
