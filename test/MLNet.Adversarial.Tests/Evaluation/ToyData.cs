using MLNet.Adversarial.Data;
using MLNet.Adversarial.Evaluation;

namespace MLNet.Adversarial.Tests.Evaluation;

/// <summary>Small hand-made evaluation cases.</summary>
internal static class ToyData
{
    /// <summary>Positives over users 0..userCount-1 and items 0..itemCount-1 (raw ids equal to the indices).</summary>
    public static InteractionData Positives(int userCount, int itemCount, params (int User, int Item)[] pairs) =>
        InteractionData.FromIndices(IdVocabulary.FromInt64(Enumerable.Range(0, userCount).Select(i => (long)i)),
            IdVocabulary.FromInt64(Enumerable.Range(0, itemCount).Select(i => (long)i)),
            pairs.Select(p => p.User).ToArray(), pairs.Select(p => p.Item).ToArray());

    /// <summary>A scorer that returns fixed per-user scores.</summary>
    public sealed class FixedScorer(float[][] scores) : IItemScorer
    {
        /// <inheritdoc />
        public int ItemCount => scores[0].Length;

        /// <inheritdoc />
        public void ScoreAllItems(int user, Span<float> destination) => scores[user].CopyTo(destination);
    }
}
