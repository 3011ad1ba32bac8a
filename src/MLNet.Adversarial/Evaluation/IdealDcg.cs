namespace MLNet.Adversarial.Evaluation;

/// <summary>How the ideal DCG that normalises NDCG@K is computed (relevance is binary).</summary>
public enum IdealDcg
{
    /// <summary>
    /// The standard definition: the DCG of min(K, number of the user's test items) hits at the top. This is what
    /// IRGAN's <c>ndcg_at_k(r, K)</c> computes when given the full ranked list, and it reproduces both the IRGAN
    /// and the CFGAN MovieLens-100K tables.
    /// </summary>
    TestItems,

    /// <summary>
    /// The DCG of the retrieved top-K list sorted by relevance, i.e. of its hits moved to the top
    /// (IRGAN's <c>ndcg_at_k</c> applied to the truncated list <c>r[:K]</c>): any list whose hits are all above its
    /// misses scores 1. Found in some re-implementations; it does not reproduce the published IRGAN numbers.
    /// </summary>
    RetrievedList,
}
