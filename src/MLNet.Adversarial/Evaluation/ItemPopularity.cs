using MLNet.Adversarial.Data;

namespace MLNet.Adversarial.Evaluation;

/// <summary>The most-popular baseline: every user gets the same scores, the number of training positives of each item.</summary>
public sealed class ItemPopularity : IItemScorer
{
    private readonly float[] _scores;

    /// <summary>Counts the positives of each item of <paramref name="train"/>'s catalogue.</summary>
    public ItemPopularity(InteractionData train)
    {
        ArgumentNullException.ThrowIfNull(train);
        _scores = Array.ConvertAll(train.ItemCounts(), c => (float)c);
    }

    /// <inheritdoc />
    public int ItemCount => _scores.Length;

    /// <inheritdoc />
    public void ScoreAllItems(int user, Span<float> scores)
    {
        if (scores.Length != _scores.Length) throw new ArgumentException($"Expected a buffer of {_scores.Length} scores.", nameof(scores));
        _scores.CopyTo(scores);
    }
}
