namespace MLNet.Adversarial.Evaluation;

/// <summary>
/// The random baseline: every (user, item) pair gets a score drawn uniformly from [0, 1), a pure function of the seed,
/// the user and the item — so it is reproducible and safe to call concurrently, and each user sees another order.
/// </summary>
public sealed class RandomItemScorer(int itemCount, int seed) : IItemScorer
{
    /// <inheritdoc />
    public int ItemCount { get; } = itemCount >= 0 ? itemCount : throw new ArgumentOutOfRangeException(nameof(itemCount), "Must not be negative.");

    /// <inheritdoc />
    public void ScoreAllItems(int user, Span<float> scores)
    {
        if (scores.Length != ItemCount) throw new ArgumentException($"Expected a buffer of {ItemCount} scores.", nameof(scores));
        for (int i = 0; i < scores.Length; i++) scores[i] = (Mix(seed, user, i) >> 40) * (1f / (1 << 24));
    }

    private static ulong Mix(int seed, int user, int item)
    {
        // SplitMix64 finaliser over the three indices.
        ulong z = ((ulong)(uint)seed << 32 | (uint)user) * 0x9E3779B97F4A7C15UL ^ (uint)item * 0xC2B2AE3D27D4EB4FUL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }
}
