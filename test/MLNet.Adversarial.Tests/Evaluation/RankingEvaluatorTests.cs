using MLNet.Adversarial.Data;
using MLNet.Adversarial.Evaluation;
using MLNet.Adversarial.Models;

namespace MLNet.Adversarial.Tests.Evaluation;

[TestClass]
public sealed class RankingEvaluatorTests
{
    private const double Tolerance = 1e-9;
    private static readonly double D2 = 1 / Math.Log2(3), D5 = 1 / Math.Log2(6); // discounts of ranks 2 and 5

    // Six items. User 0: descending scores, item 0 in train (excluded), test items 2 and 5, so the ranked list is
    // 1,2,3,4,5 with hits at ranks 2 and 5. User 1: all scores tied, test item 0: ranked first only if ties go to
    // the lower index. User 2: a training positive but no test items, so it is skipped.
    private static readonly InteractionData Train = ToyData.Positives(3, 6, (0, 0), (2, 1));
    private static readonly InteractionData Test = ToyData.Positives(3, 6, (0, 2), (0, 5), (1, 0));
    private static readonly ToyData.FixedScorer Scorer = new([[.9f, .8f, .7f, .6f, .5f, .4f], [0, 0, 0, 0, 0, 0], [1, 1, 1, 1, 1, 1]]);

    private static RankingMetrics Evaluate(IdealDcg ideal = IdealDcg.TestItems) =>
        new RankingEvaluator(new() { Ks = [1, 3, 5, 10], IdealDcg = ideal }).Evaluate(Scorer, Train, Test);

    private static void AssertMetrics(RankingMetricsAtK m, double precision, double recall, double ndcg, double mrr, double hitRate)
    {
        Assert.AreEqual(precision, m.Precision, Tolerance, $"Precision@{m.K}");
        Assert.AreEqual(recall, m.Recall, Tolerance, $"Recall@{m.K}");
        Assert.AreEqual(ndcg, m.Ndcg, Tolerance, $"NDCG@{m.K}");
        Assert.AreEqual(mrr, m.Mrr, Tolerance, $"MRR@{m.K}");
        Assert.AreEqual(hitRate, m.HitRate, Tolerance, $"HitRate@{m.K}");
    }

    [TestMethod]
    public void UsersWithoutTestItemsAreSkipped() => Assert.AreEqual(2, Evaluate().UserCount);

    [TestMethod]
    public void MetricsMatchHandComputedValues()
    {
        var m = Evaluate();
        // User 0 contributes nothing at K=1; user 1 (tie-break puts item 0 first) is perfect at every K.
        AssertMetrics(m.At(1), (0 + 1) / 2.0, (0 + 1) / 2.0, (0 + 1) / 2.0, (0 + 1) / 2.0, (0 + 1) / 2.0);
        AssertMetrics(m.At(3), (1 / 3.0 + 1 / 3.0) / 2, (0.5 + 1) / 2, (D2 / (1 + D2) + 1) / 2, (0.5 + 1) / 2, 1);
        AssertMetrics(m.At(5), (2 / 5.0 + 1 / 5.0) / 2, 1, ((D2 + D5) / (1 + D2) + 1) / 2, (0.5 + 1) / 2, 1);
    }

    [TestMethod]
    public void KLargerThanTheCatalogueRanksEverythingAndDividesPrecisionByK()
    {
        var m = Evaluate().At(10);
        AssertMetrics(m, (2 / 10.0 + 1 / 10.0) / 2, 1, ((D2 + D5) / (1 + D2) + 1) / 2, (0.5 + 1) / 2, 1);
    }

    [TestMethod]
    public void RetrievedListIdealNormalisesByTheHitsInTheTopK()
    {
        var m = Evaluate(IdealDcg.RetrievedList);
        Assert.AreEqual((D2 / 1 + 1) / 2, m.At(3).Ndcg, Tolerance);
        Assert.AreEqual(((D2 + D5) / (1 + D2) + 1) / 2, m.At(5).Ndcg, Tolerance);
        Assert.AreEqual(Evaluate().At(3).Precision, m.At(3).Precision, Tolerance);
    }

    [TestMethod]
    public void TiesAreBrokenByItemIndexAscending()
    {
        // All six scores tie for one user whose only test item is 3: it must be ranked 4th (after 0, 1, 2).
        var test = ToyData.Positives(1, 6, (0, 3));
        var train = ToyData.Positives(1, 6);
        var m = new RankingEvaluator(new() { Ks = [3, 4] }).Evaluate(new ToyData.FixedScorer([new float[6]]), train, test);
        Assert.AreEqual(0, m.At(3).HitRate);
        Assert.AreEqual(0.25, m.At(4).Mrr, Tolerance);
    }

    [TestMethod]
    public void NaNScoresRankLast()
    {
        var test = ToyData.Positives(1, 3, (0, 0));
        var m = new RankingEvaluator(new() { Ks = [1, 3] }).Evaluate(new ToyData.FixedScorer([[float.NaN, 0, 1]]), ToyData.Positives(1, 3), test);
        Assert.AreEqual(1 / 3.0, m.At(3).Mrr, Tolerance);
    }

    [TestMethod]
    public void ResultsDoNotDependOnParallelism()
    {
        var serial = new RankingEvaluator(new() { Ks = [1, 3, 5], MaxDegreeOfParallelism = 1 }).Evaluate(Scorer, Train, Test);
        Assert.AreEqual(serial.ToString(), new RankingEvaluator(new() { Ks = [1, 3, 5] }).Evaluate(Scorer, Train, Test).ToString());
    }

    [TestMethod]
    public void SampledProtocolRanksEachTestItemAgainstNonInteractedItems()
    {
        // Five items, user 0 trained on item 0 and tested on item 2: only items 1, 3, 4 can be sampled, and item 1
        // outranks item 2, so the test item sits at rank 2 of 4.
        var train = ToyData.Positives(1, 5, (0, 0));
        var test = ToyData.Positives(1, 5, (0, 2));
        var scorer = new ToyData.FixedScorer([[.9f, .8f, .7f, .6f, .5f]]);
        var m = new RankingEvaluator(new() { Ks = [1, 3], Protocol = RankingProtocol.Sampled }).Evaluate(scorer, train, test);
        Assert.AreEqual(0, m.At(1).HitRate);
        Assert.AreEqual(1, m.At(3).HitRate);
        Assert.AreEqual(D2, m.At(3).Ndcg, Tolerance);
    }

    [TestMethod]
    public void SampledNegativesNeverIncludeTrainOrTestItemsAndAreSeeded()
    {
        // Train items outscore the test items, which outscore everything else: the test items rank first only if no
        // train item and no other test item is ever drawn as a negative.
        const int items = 1000;
        var trainPairs = Enumerable.Range(0, 500).Select(i => (0, i * 2)).Append((1, 7)).ToArray();
        var train = ToyData.Positives(2, items, trainPairs);
        var test = ToyData.Positives(2, items, (0, 1), (0, 3), (1, 5));
        var scores = new float[2][];
        for (int u = 0; u < 2; u++)
        {
            scores[u] = new float[items];
            foreach (var i in train.ItemsOf(u)) scores[u][i] = 100;
            foreach (var i in test.ItemsOf(u)) scores[u][i] = 50 + i;
        }
        var options = new RankingEvaluator.Options { Ks = [1], Protocol = RankingProtocol.Sampled, Seed = 7 };
        var m = new RankingEvaluator(options).Evaluate(new ToyData.FixedScorer(scores), train, test);
        Assert.AreEqual(1, m.At(1).HitRate, Tolerance);

        // Test items score 0 among scores spread over [-1, 1]: their sampled rank, hence NDCG@100, depends on the draw.
        var spread = Enumerable.Range(0, items).Select(i => test.Contains(0, i) || test.Contains(1, i) ? 0f : (float)Math.Sin(i)).ToArray();
        var random = new ToyData.FixedScorer([spread, spread]);
        options.Ks = [100];
        var first = new RankingEvaluator(options).Evaluate(random, train, test);
        Assert.AreEqual(first.ToString(), new RankingEvaluator(options).Evaluate(random, train, test).ToString());
        options.Seed = 8;
        Assert.AreNotEqual(first.ToString(), new RankingEvaluator(options).Evaluate(random, train, test).ToString());
    }

    [TestMethod]
    public void BadArgumentsAreRejectedWithClearMessages()
    {
        StringAssert.Contains(Assert.ThrowsExactly<ArgumentException>(() => new RankingEvaluator(new() { Ks = [5, 0] })).Message, "positive");
        StringAssert.Contains(Assert.ThrowsExactly<ArgumentException>(() => new RankingEvaluator(new() { Ks = [] })).Message, "at least one");
        var evaluator = new RankingEvaluator();
        var otherItems = ToyData.Positives(3, 7, (0, 2));
        StringAssert.Contains(Assert.ThrowsExactly<ArgumentException>(() => evaluator.Evaluate(Scorer, Train, otherItems)).Message, "item vocabulary");
        var otherUsers = ToyData.Positives(4, 6, (0, 2));
        StringAssert.Contains(Assert.ThrowsExactly<ArgumentException>(() => evaluator.Evaluate(Scorer, Train, otherUsers)).Message, "user vocabulary");
        var small = new ToyData.FixedScorer([new float[5]]);
        StringAssert.Contains(Assert.ThrowsExactly<ArgumentException>(() => evaluator.Evaluate(small, Train, Test)).Message, "ranks 5 items");
        Assert.ThrowsExactly<ArgumentException>(() => Evaluate().At(2));
    }

    [TestMethod]
    public void ModelScorerUsesFallbacksForIdsTheModelLacks()
    {
        // The model knows users {1} and items {10, 11}; the catalogue has users {1, 2} and items {10, 11, 12}.
        var model = new FactorizationModel(IdVocabulary.FromInt64([1]), IdVocabulary.FromInt64([10, 11]), 2,
            [1f, 2f], [1f, 0f, 0f, 1f], [0.5f, -0.5f]);
        var scorer = new FactorizationModelScorer(model, IdVocabulary.FromInt64([1, 2]), IdVocabulary.FromInt64([10, 11, 12]));
        Assert.AreEqual(3, scorer.ItemCount);
        var scores = new float[3];
        for (int u = 0; u < 2; u++)
        {
            scorer.ScoreAllItems(u, scores);
            int modelUser = u == 0 ? 0 : -1;
            CollectionAssert.AreEqual(new[] { model.Score(modelUser, 0), model.Score(modelUser, 1), model.Score(modelUser, -1) }, scores);
        }
        var same = new FactorizationModelScorer(model, model.Users, model.Items);
        var direct = new float[2];
        same.ScoreAllItems(0, direct);
        CollectionAssert.AreEqual(new[] { model.Score(0, 0), model.Score(0, 1) }, direct);
    }
}
