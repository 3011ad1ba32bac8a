namespace MLNet.Adversarial.Evaluation;

/// <summary>Ranking metrics at one cut-off <see cref="K"/>, each averaged over the evaluated users.</summary>
/// <param name="K">The cut-off: only the top <c>K</c> ranked items count.</param>
/// <param name="Precision">Hits in the top K divided by K.</param>
/// <param name="Recall">Hits in the top K divided by the user's number of test items.</param>
/// <param name="Ndcg">Binary-relevance DCG of the top K over the ideal DCG chosen by <see cref="RankingEvaluator.Options.IdealDcg"/>.</param>
/// <param name="Mrr">Reciprocal rank of the first hit in the top K (0 when there is none).</param>
/// <param name="HitRate">1 when the top K holds at least one hit, else 0.</param>
public sealed record RankingMetricsAtK(int K, double Precision, double Recall, double Ndcg, double Mrr, double HitRate);
