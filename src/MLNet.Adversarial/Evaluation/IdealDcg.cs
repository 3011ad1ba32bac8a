namespace MLNet.Adversarial.Evaluation;

/// <summary>How the ideal DCG that normalises NDCG@K is computed (relevance is binary).</summary>
public enum IdealDcg
{
    /// <summary>The standard definition: the DCG of min(K, number of the user's test items) hits at the top.</summary>
    TestItems,

    /// <summary>
    /// The DCG of the retrieved top-K list sorted by relevance, i.e. of its hits moved to the top
    /// (<c>ndcg_at_k(r[:K], K)</c> in the IRGAN code): any list whose hits are all above its misses scores 1.
    /// </summary>
    RetrievedList,
}
