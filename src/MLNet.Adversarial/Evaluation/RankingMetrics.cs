namespace MLNet.Adversarial.Evaluation;

/// <summary>The result of a <see cref="RankingEvaluator"/> run: metrics at every requested cut-off.</summary>
public sealed class RankingMetrics
{
    /// <summary>Creates a result; <paramref name="byK"/> is ordered by ascending K.</summary>
    public RankingMetrics(int userCount, IReadOnlyList<RankingMetricsAtK> byK)
    {
        UserCount = userCount;
        ByK = byK ?? throw new ArgumentNullException(nameof(byK));
    }

    /// <summary>Number of users averaged over: those with at least one test positive.</summary>
    public int UserCount { get; }

    /// <summary>The metrics at each cut-off, by ascending K.</summary>
    public IReadOnlyList<RankingMetricsAtK> ByK { get; }

    /// <summary>The metrics at cut-off <paramref name="k"/>.</summary>
    /// <exception cref="ArgumentException">K was not evaluated.</exception>
    public RankingMetricsAtK At(int k) => ByK.FirstOrDefault(m => m.K == k)
        ?? throw new ArgumentException($"K = {k} was not evaluated; available: {string.Join(", ", ByK.Select(m => m.K))}.", nameof(k));

    /// <inheritdoc />
    public override string ToString() => $"{UserCount} users; " + string.Join("; ", ByK.Select(m =>
        FormattableString.Invariant($"@{m.K}: P {m.Precision:F4} R {m.Recall:F4} NDCG {m.Ndcg:F4} MRR {m.Mrr:F4} HR {m.HitRate:F4}")));
}
