/** The label value every value beyond the cap is folded into. */
export const overflowLabel = 'other';

/**
 * Guards one Prometheus label against unbounded cardinality. Each distinct label value is a new
 * time series held in memory until the process ends; a value a client can influence (a requested
 * model name, a route) could otherwise grow memory without limit. The first `maximumValues`
 * distinct values pass through (cut to `maximumLength` characters); later new ones read as
 * {@link overflowLabel}.
 */
export class BoundedLabel {
  private readonly seen = new Set<string>();

  constructor(
    private readonly maximumValues = 500,
    private readonly maximumLength = 128,
  ) {}

  /** The label value to use for `value`. */
  of(value: string): string {
    const cut = value.length > this.maximumLength ? value.slice(0, this.maximumLength) : value;
    if (this.seen.has(cut)) return cut;
    if (this.seen.size >= this.maximumValues) return overflowLabel;
    this.seen.add(cut);
    return cut;
  }
}
