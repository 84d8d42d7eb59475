import type { OptionType } from './types';

export interface Black76Input {
  forward: number;
  strike: number;
  /** Time to expiry in years; at or below zero the option is worth its intrinsic value. */
  years: number;
  /** Annualised volatility as a fraction (0.15 = 15%). */
  vol: number;
  /** Continuously compounded risk-free rate as a fraction. */
  rate: number;
  optionType: OptionType;
}

/** Abramowitz & Stegun 7.1.26 (|error| < 1.5e-7): plenty for premiums rounded to 0.05. */
function erf(x: number): number {
  const sign = x < 0 ? -1 : 1;
  const a = Math.abs(x);
  const t = 1 / (1 + 0.3275911 * a);
  const poly =
    t *
    (0.254829592 + t * (-0.284496736 + t * (1.421413741 + t * (-1.453152027 + t * 1.061405429))));
  return sign * (1 - poly * Math.exp(-a * a));
}

export const normCdf = (x: number): number => 0.5 * (1 + erf(x / Math.SQRT2));

function d1d2(p: Black76Input): [number, number] | null {
  if (p.years <= 0 || p.vol <= 0) return null;
  const sd = p.vol * Math.sqrt(p.years);
  const d1 = (Math.log(p.forward / p.strike) + 0.5 * sd * sd) / sd;
  return [d1, d1 - sd];
}

export function black76Price(p: Black76Input): number {
  const discount = Math.exp(-p.rate * Math.max(p.years, 0));
  const d = d1d2(p);
  if (!d) {
    const intrinsic = p.optionType === 'CE' ? p.forward - p.strike : p.strike - p.forward;
    return discount * Math.max(intrinsic, 0);
  }
  const [d1, d2] = d;
  return p.optionType === 'CE'
    ? discount * (p.forward * normCdf(d1) - p.strike * normCdf(d2))
    : discount * (p.strike * normCdf(-d2) - p.forward * normCdf(-d1));
}

/** Sensitivity to the forward: calls in (0, 1), puts in (-1, 0). */
export function black76Delta(p: Black76Input): number {
  const discount = Math.exp(-p.rate * Math.max(p.years, 0));
  const d = d1d2(p);
  if (!d) {
    const itm = p.optionType === 'CE' ? p.forward > p.strike : p.forward < p.strike;
    return itm ? (p.optionType === 'CE' ? discount : -discount) : 0;
  }
  return p.optionType === 'CE' ? discount * normCdf(d[0]) : -discount * normCdf(-d[0]);
}

/** Sensitivity to volatility, per unit of vol (not per vol point). */
export function black76Vega(p: Black76Input): number {
  const d = d1d2(p);
  if (!d) return 0;
  const density = Math.exp(-0.5 * d[0] * d[0]) / Math.sqrt(2 * Math.PI);
  return Math.exp(-p.rate * Math.max(p.years, 0)) * p.forward * density * Math.sqrt(p.years);
}

export interface ImpliedVolInput extends Omit<Black76Input, 'vol'> {
  price: number;
}

/**
 * The volatility in (minVol, maxVol) at which Black-76 gives `price`, or
 * undefined when the price lies outside what that range can produce (at or
 * below intrinsic, for one). Newton's steps on vega, kept inside a bracket
 * that shrinks with every step and bisected whenever a step would leave it:
 * a handful of prices where bisection alone took sixty, and a whole option
 * chain is implied on every entry.
 */
export function impliedVol(p: ImpliedVolInput, minVol = 1e-4, maxVol = 5): number | undefined {
  const at = (vol: number) => ({ ...p, vol });
  if (!(p.years > 0)) return undefined;
  if (p.price <= black76Price(at(minVol)) || p.price >= black76Price(at(maxVol))) return undefined;
  let [low, high] = [minVol, maxVol];
  // Brenner-Subrahmanyam's at-the-money estimate: close for the strikes that are traded.
  let vol = Math.sqrt((2 * Math.PI) / p.years) * (p.price / p.forward);
  if (!(vol > low && vol < high)) vol = (low + high) / 2;
  for (let i = 0; i < 100; i++) {
    const miss = black76Price(at(vol)) - p.price;
    if (Math.abs(miss) <= 1e-9 * p.price) return vol;
    if (miss > 0) high = vol;
    else low = vol;
    const step = miss / black76Vega(at(vol));
    const next = vol - step;
    vol = next > low && next < high ? next : (low + high) / 2;
    if (high - low <= 1e-12) return vol;
  }
  return vol;
}
