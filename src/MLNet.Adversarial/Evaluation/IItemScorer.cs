namespace MLNet.Adversarial.Evaluation;

/// <summary>
/// Anything that scores every item of an evaluation catalogue for a user: higher scores rank first. User and item
/// indices are those of the evaluation data's vocabularies (<see cref="Data.InteractionData.Users"/>,
/// <see cref="Data.InteractionData.Items"/>).
/// </summary>
public interface IItemScorer
{
    /// <summary>Number of catalogue items scored by <see cref="ScoreAllItems"/>.</summary>
    int ItemCount { get; }

    /// <summary>Writes the score of every catalogue item for user index <paramref name="user"/> into <paramref name="scores"/> (length <see cref="ItemCount"/>). Must be safe to call concurrently.</summary>
    void ScoreAllItems(int user, Span<float> scores);
}
