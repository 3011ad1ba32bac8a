using MLNet.Adversarial.Data;
using MLNet.Adversarial.Evaluation;

namespace MLNet.Adversarial.Tests.Evaluation;

/// <summary>The ItemPop rows of the IRGAN (SIGIR 2017) and CFGAN (CIKM 2018) MovieLens-100K tables, to 4 decimals.</summary>
[TestClass]
public sealed class PublishedItemPopTests
{
    private const double Tolerance = 5e-5;

    private static TrainTestSplit Split(string train, string test, float? minRating) =>
        TrainTestSplit.FromFiles(DataLocator.GetPath(train), DataLocator.GetPath(test), minRating);

    [TestMethod]
    public void IrganProtocolReproducesTheIrganTable()
    {
        // Positives are ratings >= 4 in both files; the catalogue is all 1,682 items; only training positives are
        // excluded. IRGAN's ndcg_at_k is applied to the full ranked list, so its ideal DCG is the standard one.
        var split = Split("ml-100k/u1.base", "ml-100k/u1.test", 4f);
        Assert.AreEqual(1682, split.Test.Items.Count);
        var m = new RankingEvaluator(new() { Ks = [3, 5, 10], IdealDcg = IdealDcg.TestItems })
            .Evaluate(new ItemPopularity(split.Train), split.Train, split.Test);
        Assert.AreEqual(456, m.UserCount);
        Assert.AreEqual(0.2624, m.At(3).Precision, Tolerance);
        Assert.AreEqual(0.2338, m.At(5).Precision, Tolerance);
        Assert.AreEqual(0.2050, m.At(10).Precision, Tolerance);
        Assert.AreEqual(0.2793, m.At(3).Ndcg, Tolerance);
        Assert.AreEqual(0.2568, m.At(5).Ndcg, Tolerance);
        Assert.AreEqual(0.2403, m.At(10).Ndcg, Tolerance);
    }

    [TestMethod]
    public void CfganProtocolReproducesTheCfganTable()
    {
        var split = Split("cfgan-ml100k/ML100K.train", "cfgan-ml100k/ML100K.test", null);
        var m = new RankingEvaluator(new() { Ks = [5, 20], IdealDcg = IdealDcg.TestItems })
            .Evaluate(new ItemPopularity(split.Train), split.Train, split.Test);
        Assert.AreEqual(0.2078, m.At(5).Precision, Tolerance);
        Assert.AreEqual(0.1558, m.At(20).Precision, Tolerance);
        Assert.AreEqual(0.0677, m.At(5).Recall, Tolerance);
        Assert.AreEqual(0.1671, m.At(20).Recall, Tolerance);
        Assert.AreEqual(0.2218, m.At(5).Ndcg, Tolerance);
        Assert.AreEqual(0.2129, m.At(20).Ndcg, Tolerance);
        Assert.AreEqual(0.3876, m.At(5).Mrr, Tolerance);
    }

    [TestMethod]
    public void TheRetrievedListConventionDoesNotReproduceTheIrganTable()
    {
        var split = Split("ml-100k/u1.base", "ml-100k/u1.test", 4f);
        var m = new RankingEvaluator(new() { Ks = [3], IdealDcg = IdealDcg.RetrievedList })
            .Evaluate(new ItemPopularity(split.Train), split.Train, split.Test);
        Assert.AreEqual(0.2624, m.At(3).Precision, Tolerance);
        Assert.IsGreaterThan(0.4, m.At(3).Ndcg);
    }
}
