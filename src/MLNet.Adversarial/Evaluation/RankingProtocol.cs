namespace MLNet.Adversarial.Evaluation;

/// <summary>Which items each test positive is ranked against.</summary>
public enum RankingProtocol
{
    /// <summary>Every catalogue item except the user's training positives is ranked; all test positives are relevant.</summary>
    Full,

    /// <summary>
    /// Each test positive is ranked against <see cref="RankingEvaluator.Options.SampledNegatives"/> items, drawn
    /// (seeded, without replacement) from those the user has no train or test positive on, as in NCF.
    /// The candidate list holds one relevant item, so HR@K and NDCG@K are the usual sampled metrics;
    /// a user's values are averaged over its test positives.
    /// </summary>
    Sampled,
}
