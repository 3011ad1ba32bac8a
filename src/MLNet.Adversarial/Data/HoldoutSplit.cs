namespace MLNet.Adversarial.Data;

/// <summary>
/// Seeded per-user holdout of interaction rows: for a test part of generated data, or for a validation part carved
/// from the training data (model selection must never look at the test data).
/// </summary>
public static class HoldoutSplit
{
    /// <summary>The two parts of a split; both keep the input's id kinds and rating column.</summary>
    /// <param name="Train">The rows that stay in training.</param>
    /// <param name="Holdout">The held-out rows.</param>
    public sealed record Result(InteractionTable Train, InteractionTable Holdout);

    /// <summary>
    /// Holds out <c>round(fraction · n)</c> of each user's <c>n</c> positive rows (under <paramref name="minRating"/>),
    /// chosen at random, but always leaves at least <paramref name="minTrainPerUser"/> positives in training; rows
    /// that are not positives stay in training. The choice depends on the seed, the user's id and the order of
    /// the user's rows, not on other users, so adding users leaves everyone else's split unchanged.
    /// </summary>
    /// <param name="table">The rows to split.</param>
    /// <param name="fraction">Share of each user's positives to hold out, in [0, 1).</param>
    /// <param name="seed">Random seed.</param>
    /// <param name="minRating">Rows rated at or above this are positives; null: every row is.</param>
    /// <param name="minTrainPerUser">Positives every user keeps in training (users with fewer keep all).</param>
    public static Result PerUser(InteractionTable table, double fraction, int seed, float? minRating = null, int minTrainPerUser = 1)
    {
        ArgumentNullException.ThrowIfNull(table);
        if (!(fraction >= 0 && fraction < 1)) throw new ArgumentOutOfRangeException(nameof(fraction), $"The holdout fraction must be in [0, 1); got {fraction}.");
        if (minTrainPerUser < 0) throw new ArgumentOutOfRangeException(nameof(minTrainPerUser), "Must not be negative.");

        var users = IdVocabulary.FromColumn(table.Users);
        var userIndex = users.MapColumn(table.Users);
        // Positive rows grouped by user (counting sort keeps each user's rows in input order).
        var start = new int[users.Count + 1];
        for (int r = 0; r < table.Count; r++) if (table.IsPositive(r, minRating)) start[userIndex[r] + 1]++;
        for (int u = 0; u < users.Count; u++) start[u + 1] += start[u];
        var fill = start.AsSpan(0, users.Count).ToArray();
        var rows = new int[start[users.Count]];
        for (int r = 0; r < table.Count; r++) if (table.IsPositive(r, minRating)) rows[fill[userIndex[r]]++] = r;

        var heldOut = new bool[table.Count];
        for (int u = 0; u < users.Count; u++)
        {
            var own = rows.AsSpan(start[u], start[u + 1] - start[u]);
            int take = Math.Min((int)Math.Round(fraction * own.Length, MidpointRounding.AwayFromZero), own.Length - minTrainPerUser);
            if (take <= 0) continue;
            var rng = new Random(UserSeed(seed, users.GetIdText(u)));
            // Partial Fisher–Yates: the first `take` slots become a uniform random subset.
            for (int k = 0; k < take; k++)
            {
                int j = k + rng.Next(own.Length - k);
                (own[k], own[j]) = (own[j], own[k]);
                heldOut[own[k]] = true;
            }
        }
        return new Result(table.Select(heldOut, false, $"{table.Source} (train part)"), table.Select(heldOut, true, $"{table.Source} (holdout)"));
    }

    private static int UserSeed(int seed, string userId)
    {
        // FNV-1a over the id text, mixed with the seed: stable across runs and processes (unlike string.GetHashCode).
        uint h = 2166136261u ^ (uint)seed;
        foreach (var c in userId) h = (h ^ c) * 16777619u;
        h ^= h >> 15;
        h *= 0x2C1B3C6Du;
        return (int)(h ^ (h >> 12));
    }
}
