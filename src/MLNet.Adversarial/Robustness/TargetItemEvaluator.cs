using MLNet.Adversarial.Data;
using MLNet.Adversarial.Evaluation;

namespace MLNet.Adversarial.Robustness;

/// <summary>
/// Ranks target items for users with any <see cref="IItemScorer"/> (<see cref="TargetItemMetrics"/>): the
/// measurement of a promotion attack. Ties are broken as in <see cref="RankingEvaluator"/> (lower item index first);
/// users are scored in parallel and the result does not depend on the degree of parallelism.
/// </summary>
public static class TargetItemEvaluator
{
    /// <summary>
    /// The metrics at <paramref name="k"/> of <paramref name="targets"/> (item indices of <paramref name="train"/>'s
    /// catalogue) for <paramref name="users"/> (user indices of <paramref name="train"/>; null: every user with a positive).
    /// </summary>
    /// <exception cref="ArgumentException">The scorer's catalogue differs from <paramref name="train"/>'s, a target or user is out of range, or no pair is left to rank.</exception>
    public static TargetItemMetrics Evaluate(IItemScorer scorer, InteractionData train, IReadOnlyList<int> targets, int k = 10, IReadOnlyList<int>? users = null)
    {
        ArgumentNullException.ThrowIfNull(scorer);
        ArgumentNullException.ThrowIfNull(train);
        ArgumentNullException.ThrowIfNull(targets);
        if (k <= 0) throw new ArgumentOutOfRangeException(nameof(k), $"K must be positive; got {k}.");
        int itemCount = train.Items.Count;
        if (scorer.ItemCount != itemCount) throw new ArgumentException($"The scorer ranks {scorer.ItemCount} items but the catalogue has {itemCount}.", nameof(scorer));
        foreach (var t in targets)
            if ((uint)t >= (uint)itemCount) throw new ArgumentException($"Target item index {t} is outside 0..{itemCount - 1}.", nameof(targets));
        var who = users?.ToArray() ?? train.ActiveUsers().ToArray();
        foreach (var u in who)
            if ((uint)u >= (uint)train.Users.Count) throw new ArgumentException($"User index {u} is outside 0..{train.Users.Count - 1}.", nameof(users));

        var ranks = new int[who.Length * targets.Count]; // 0: the pair is skipped (the user already has the target)
        Parallel.For(0, who.Length, () => (Scores: new float[itemCount], Marked: new bool[itemCount]), (index, _, ws) =>
        {
            int user = who[index];
            scorer.ScoreAllItems(user, ws.Scores);
            var known = train.ItemsOf(user);
            foreach (var i in known) ws.Marked[i] = true;
            for (int t = 0; t < targets.Count; t++)
            {
                int target = targets[t];
                if (ws.Marked[target]) continue;
                float s = Sanitize(ws.Scores[target]);
                int above = 0;
                for (int i = 0; i < itemCount; i++)
                {
                    if (ws.Marked[i] || i == target) continue;
                    float v = Sanitize(ws.Scores[i]);
                    if (v > s || (v == s && i < target)) above++;
                }
                ranks[index * targets.Count + t] = above + 1;
            }
            foreach (var i in known) ws.Marked[i] = false;
            return ws;
        }, _ => { });

        var ranked = ranks.Where(r => r > 0).ToArray();
        if (ranked.Length == 0) throw new ArgumentException("No (user, target) pair to rank: every user already has every target.", nameof(targets));
        Array.Sort(ranked);
        double hits = 0, ndcg = 0;
        foreach (var r in ranked)
            if (r <= k) { hits++; ndcg += 1 / Math.Log2(r + 1); }
        int n = ranked.Length;
        double median = n % 2 == 1 ? ranked[n / 2] : (ranked[n / 2 - 1] + ranked[n / 2]) / 2.0;
        return new TargetItemMetrics(k, n, hits / n, ndcg / n, median, ranked.Average(r => (double)r));
    }

    private static float Sanitize(float score) => float.IsNaN(score) ? float.NegativeInfinity : score;
}
