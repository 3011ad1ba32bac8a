namespace MLNet.Adversarial.Evaluation;

/// <summary>The ranking quality of a model before and after an adversarial perturbation of size <see cref="Epsilon"/>.</summary>
public sealed class RobustnessResult
{
    /// <summary>Creates a result; the relative drop is derived from the two metric sets.</summary>
    public RobustnessResult(double epsilon, RankingMetrics clean, RankingMetrics attacked)
    {
        Epsilon = epsilon;
        Clean = clean ?? throw new ArgumentNullException(nameof(clean));
        Attacked = attacked ?? throw new ArgumentNullException(nameof(attacked));
        RelativeDrop = clean.ByK.Zip(attacked.ByK, (c, a) => new RankingMetricsAtK(c.K,
            Drop(c.Precision, a.Precision), Drop(c.Recall, a.Recall), Drop(c.Ndcg, a.Ndcg), Drop(c.Mrr, a.Mrr), Drop(c.HitRate, a.HitRate))).ToArray();
    }

    /// <summary>The L2 norm of the perturbation added to every embedding row.</summary>
    public double Epsilon { get; }

    /// <summary>Metrics of the unperturbed model.</summary>
    public RankingMetrics Clean { get; }

    /// <summary>Metrics of the perturbed model.</summary>
    public RankingMetrics Attacked { get; }

    /// <summary>Per K, (clean − attacked) / clean for each metric (0 where the clean value is 0); positive means the attack hurt.</summary>
    public IReadOnlyList<RankingMetricsAtK> RelativeDrop { get; }

    private static double Drop(double clean, double attacked) => clean == 0 ? 0 : (clean - attacked) / clean;
}
