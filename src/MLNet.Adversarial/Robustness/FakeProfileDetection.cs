using MLNet.Adversarial.Data;

namespace MLNet.Adversarial.Robustness;

/// <summary>What a <see cref="FakeProfileDetector"/> found: per user (indices of <see cref="Users"/>) its similarity score, robust z-score and verdict.</summary>
public sealed class FakeProfileDetection
{
    internal FakeProfileDetection(IdVocabulary users, double[] scores, double[] zScores, bool[] suspected)
    {
        Users = users;
        Scores = scores;
        ZScores = zScores;
        Suspected = suspected;
        SuspectedCount = suspected.Count(s => s);
    }

    /// <summary>The users scored.</summary>
    public IdVocabulary Users { get; }

    /// <summary>Mean inverse-frequency-weighted cosine with the user's most similar users.</summary>
    public IReadOnlyList<double> Scores { get; }

    /// <summary>The robust z-score of <see cref="Scores"/>.</summary>
    public IReadOnlyList<double> ZScores { get; }

    /// <summary>Whether each user is suspected of being fake.</summary>
    public IReadOnlyList<bool> Suspected { get; }

    /// <summary>How many users are suspected.</summary>
    public int SuspectedCount { get; }
}
