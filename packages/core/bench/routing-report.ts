/** The routing benchmark's plot: cumulative regret against the oracle, one line per strategy, as SVG. */

/** One strategy's cumulative regret, sampled every `step` requests. */
export interface RegretSeries {
  name: string;
  /** Cumulative regret after request `(index + 1) × step`. */
  points: number[];
}

const palette = ['#1f77b4', '#d62728', '#2ca02c', '#9467bd', '#ff7f0e', '#8c564b', '#e377c2', '#7f7f7f'];

function escapeXml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** A niceish tick step for a range. */
function tickStep(range: number, ticks: number): number {
  const raw = range / ticks;
  const magnitude = 10 ** Math.floor(Math.log10(raw));
  const normalised = raw / magnitude;
  return (normalised < 1.5 ? 1 : normalised < 3.5 ? 2 : normalised < 7.5 ? 5 : 10) * magnitude;
}

/** The SVG document: regret on the y axis, requests on the x axis, the degradation marked. */
export function regretSvg(
  series: readonly RegretSeries[],
  step: number,
  requests: number,
  degradationAt: number,
  title: string,
): string {
  const width = 900;
  const height = 520;
  const left = 70;
  const right = 230;
  const top = 40;
  const bottom = 50;
  const plotWidth = width - left - right;
  const plotHeight = height - top - bottom;
  const maximum = Math.max(1, ...series.flatMap((line) => line.points));
  const x = (request: number) => left + (request / requests) * plotWidth;
  const y = (regret: number) => top + plotHeight - (Math.max(regret, 0) / maximum) * plotHeight;
  const parts: string[] = [];
  parts.push(
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="sans-serif" font-size="12">`,
    `<rect width="${width}" height="${height}" fill="white"/>`,
    `<text x="${left}" y="24" font-size="15" font-weight="bold">${escapeXml(title)}</text>`,
  );
  const yStep = tickStep(maximum, 6);
  for (let value = 0; value <= maximum + 1e-9; value += yStep) {
    parts.push(
      `<line x1="${left}" x2="${left + plotWidth}" y1="${y(value).toFixed(1)}" y2="${y(value).toFixed(1)}" stroke="#e5e5e5"/>`,
      `<text x="${left - 8}" y="${(y(value) + 4).toFixed(1)}" text-anchor="end">${Number(value.toPrecision(6))}</text>`,
    );
  }
  const xStep = tickStep(requests, 8);
  for (let value = 0; value <= requests; value += xStep) {
    parts.push(
      `<line x1="${x(value).toFixed(1)}" x2="${x(value).toFixed(1)}" y1="${top + plotHeight}" y2="${top + plotHeight + 5}" stroke="#333"/>`,
      `<text x="${x(value).toFixed(1)}" y="${top + plotHeight + 20}" text-anchor="middle">${value}</text>`,
    );
  }
  parts.push(
    `<line x1="${left}" x2="${left}" y1="${top}" y2="${top + plotHeight}" stroke="#333"/>`,
    `<line x1="${left}" x2="${left + plotWidth}" y1="${top + plotHeight}" y2="${top + plotHeight}" stroke="#333"/>`,
    `<text x="${left + plotWidth / 2}" y="${height - 10}" text-anchor="middle">requests</text>`,
    `<text transform="translate(18 ${top + plotHeight / 2}) rotate(-90)" text-anchor="middle">cumulative regret vs oracle (utility)</text>`,
    `<line x1="${x(degradationAt).toFixed(1)}" x2="${x(degradationAt).toFixed(1)}" y1="${top}" y2="${top + plotHeight}" stroke="#999" stroke-dasharray="5 4"/>`,
    `<text x="${(x(degradationAt) + 4).toFixed(1)}" y="${top + 12}" fill="#666">a model degrades</text>`,
  );
  series.forEach((line, index) => {
    const colour = palette[index % palette.length]!;
    const points = [`${x(0).toFixed(1)},${y(0).toFixed(1)}`];
    line.points.forEach((regret, position) => {
      points.push(`${x((position + 1) * step).toFixed(1)},${y(regret).toFixed(1)}`);
    });
    parts.push(
      `<polyline fill="none" stroke="${colour}" stroke-width="${line.name === 'optimiser' ? 3 : 1.6}" points="${points.join(' ')}"/>`,
      `<line x1="${left + plotWidth + 15}" x2="${left + plotWidth + 40}" y1="${top + 10 + index * 20}" y2="${top + 10 + index * 20}" stroke="${colour}" stroke-width="3"/>`,
      `<text x="${left + plotWidth + 46}" y="${top + 14 + index * 20}">${escapeXml(line.name)}</text>`,
    );
  });
  parts.push('</svg>');
  return parts.join('\n');
}
