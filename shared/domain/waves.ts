/**
 * How a batch is cut into waves (issue 14): each wave takes one request per pipeline stage, and the waves run one
 * after another as soon as the one before starts its model calls, so their writes overlap the next waves' calls.
 */
/**
 * Units per wave: five rounds of the model bound, and at least 25, so a wave's writes stay few (a read, an update and
 * the notes of 25 units: 0.12 Zoho calls per event) while the waves after it keep the model calls busy.
 */
export const defaultWaveSize = (modelConcurrency: number) => Math.max(25, 5 * modelConcurrency);

/**
 * A batch's waves: as many as waves of `waveSize` would make (each costs a request per stage), and two for a batch
 * of four model rounds or more; the first only two rounds of the model bound so the model calls start sooner, the
 * rest shared evenly.
 */
export function wavesOf<T>(records: readonly T[], waveSize: number, modelConcurrency: number): T[][] {
  // A batch of four rounds of the model bound or more is at least two waves, so even a small batch's writes overlap
  // model calls (at the cost of a second request per stage).
  const count = Math.max(
    Math.ceil(records.length / waveSize),
    records.length >= 4 * modelConcurrency ? 2 : 1,
  );
  if (count <= 1) return [records.slice()];
  const first = Math.min(waveSize, 2 * modelConcurrency);
  const rest = Math.ceil((records.length - first) / (count - 1));
  const waves = [records.slice(0, first)];
  for (let i = first; i < records.length; i += rest) waves.push(records.slice(i, i + rest));
  return waves;
}
