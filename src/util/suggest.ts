// "Did you mean …?" for names a user mistyped: stage names, keys, vars, executors.

/**
 * Edit distance where swapping two neighbouring letters counts as one edit (optimal string
 * alignment), because "biuld" for "build" is the typo people make most.
 */
function editDistance(a: string, b: string): number {
  const rows = Array.from({ length: a.length + 1 }, (_, i) =>
    Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)),
  );
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let best = Math.min(rows[i - 1]![j]! + 1, rows[i]![j - 1]! + 1, rows[i - 1]![j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) {
        best = Math.min(best, rows[i - 2]![j - 2]! + 1);
      }
      rows[i]![j] = best;
    }
  }
  return rows[a.length]![b.length]!;
}

/** The closest candidate within a distance that still reads as a typo, or undefined. */
export function closestMatch(input: string, candidates: Iterable<string>): string | undefined {
  const limit = Math.max(1, Math.floor(input.length / 3));
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const candidate of candidates) {
    const distance = editDistance(input.toLowerCase(), candidate.toLowerCase());
    // Replacing every letter is not a typo: "a" does not suggest "b".
    if (distance < bestDistance && distance <= limit && distance < Math.max(input.length, candidate.length)) {
      best = candidate;
      bestDistance = distance;
    }
  }
  return best;
}
