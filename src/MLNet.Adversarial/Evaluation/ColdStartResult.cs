namespace MLNet.Adversarial.Evaluation;

/// <summary>The two halves of a cold-start evaluation.</summary>
/// <param name="Cold">Ranking among the held-out (cold) items, for the users with a positive on one of them.</param>
/// <param name="Warm">Ranking of the warm catalogue against the held-out warm positives.</param>
public sealed record ColdStartResult(RankingMetrics Cold, RankingMetrics Warm);
