using MLNet.Adversarial.Evaluation;

namespace MLNet.Adversarial.Robustness;

/// <summary>
/// A poisoning attack's effect on one trainer: the target items' ranks among the real users and the clean accuracy
/// (ranking metrics on the real users' test rows), for the model trained on the clean data and for the one trained
/// on the poisoned data (with the same options and seed).
/// </summary>
/// <param name="CleanTargets">The targets as the clean model ranks them.</param>
/// <param name="AttackedTargets">The targets as the poisoned model ranks them.</param>
/// <param name="CleanAccuracy">The clean model on the real users' test rows.</param>
/// <param name="AttackedAccuracy">The poisoned model on the same rows.</param>
public sealed record PoisoningResult(TargetItemMetrics CleanTargets, TargetItemMetrics AttackedTargets, RankingMetrics CleanAccuracy, RankingMetrics AttackedAccuracy)
{
    /// <summary>How many places the median target rank rose (positive: the attack promoted the targets).</summary>
    public double MedianRankGain => CleanTargets.MedianRank - AttackedTargets.MedianRank;

    /// <summary>(attacked − clean) / clean NDCG@<paramref name="k"/> on the test rows (negative: the attack cost accuracy).</summary>
    public double AccuracyChange(int k = 10)
    {
        double clean = CleanAccuracy.At(k).Ndcg;
        return clean == 0 ? 0 : (AttackedAccuracy.At(k).Ndcg - clean) / clean;
    }
}
