/**
 * Welch's two-sample t-test, with the Student-t distribution computed here
 * (regularized incomplete beta by continued fraction, log-gamma by Lanczos)
 * so the suite needs no statistics dependency. Pure functions.
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
  0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059, 12.507343278686905,
  -0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7,
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
