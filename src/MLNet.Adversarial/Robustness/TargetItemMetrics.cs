namespace MLNet.Adversarial.Robustness;

/// <summary>
/// How high a model ranks a set of target items for a set of users: each (user, target) pair with the target not
/// among the user's training positives counts once; the target's rank is among the items the user has no training
/// positive for (1 = first).
/// </summary>
/// <param name="K">The cut-off of <see cref="HitRate"/> and <see cref="Ndcg"/>.</param>
/// <param name="Pairs">The number of (user, target) pairs ranked.</param>
/// <param name="HitRate">Share of the pairs whose target is in the top <paramref name="K"/>.</param>
/// <param name="Ndcg">Mean over the pairs of 1 / log2(rank + 1) when rank ≤ K, else 0 (one relevant item per pair).</param>
/// <param name="MedianRank">The median rank over the pairs.</param>
/// <param name="MeanRank">The mean rank over the pairs.</param>
public sealed record TargetItemMetrics(int K, int Pairs, double HitRate, double Ndcg, double MedianRank, double MeanRank);
