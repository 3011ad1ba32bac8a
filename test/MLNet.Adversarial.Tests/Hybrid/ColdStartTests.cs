using MLNet.Adversarial.Data;
using MLNet.Adversarial.Evaluation;
using MLNet.Adversarial.Text;

namespace MLNet.Adversarial.Tests.Hybrid;

[TestClass]
public sealed class ColdStartTests
{
    [TestMethod]
    public void TheSplitHoldsOutAShareOfTheItemsWithAllTheirInteractions()
    {
        var table = HybridFixtures.Interactions();
        var split = ColdStartSplit.FromTable(table, 0.2, seed: 4, minRating: null);
        var allItems = IdVocabulary.FromColumn(table.Items);
        Assert.AreEqual((int)Math.Round(0.2 * allItems.Count), split.ColdItems.Count);
        Assert.AreEqual(allItems.Count, split.ColdItems.Count + split.Train.Items.Count);
        for (int i = 0; i < split.ColdItems.Count; i++) Assert.AreEqual(-1, split.Train.Items.IndexOf(split.ColdItems, i), "a cold item is not in training");
        Assert.AreEqual(0, split.ColdExcluded.Count);
        Assert.IsTrue(split.ColdExcluded.Users.Equals(split.ColdTest.Users) && split.ColdExcluded.Items.Equals(split.ColdTest.Items));

        // Every positive lands in exactly one of train, warm test and cold test.
        var coldRows = Enumerable.Range(0, table.Count).Count(r => split.ColdItems.IndexOf(table.Items.Int64Values[r]) >= 0);
        Assert.AreEqual(coldRows, split.ColdTest.Count);
        Assert.AreEqual(table.Count, split.Train.Count + split.WarmTest.Count + split.ColdTest.Count);
        Assert.IsTrue(split.WarmTest.Items.Equals(split.Train.Items) && split.WarmTest.Users.Equals(split.Train.Users));
    }

    [TestMethod]
    public void TheSplitDependsOnTheSeedOnly()
    {
        var table = HybridFixtures.Interactions();
        var a = ColdStartSplit.FromTable(table, 0.25, 1, null);
        var b = ColdStartSplit.FromTable(table, 0.25, 1, null);
        var c = ColdStartSplit.FromTable(table, 0.25, 2, null);
        Assert.IsTrue(a.ColdItems.Equals(b.ColdItems));
        Assert.IsFalse(a.ColdItems.Equals(c.ColdItems));
        Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => ColdStartSplit.FromTable(table, 1, 1, null));
    }

    [TestMethod]
    public void ASeparateTestTableGivesTheWarmTestAndJoinsTheColdPositives()
    {
        var train = new InteractionTable(IdColumn.OfInt64([1, 1, 2, 2]), IdColumn.OfInt64([10, 11, 10, 12]), [5, 5, 2, 5]);
        var test = new InteractionTable(IdColumn.OfInt64([1, 2, 2]), IdColumn.OfInt64([12, 11, 13]), [4, 5, 5]);
        var split = ColdStartSplit.FromTables(train, test, 0.5, seed: 3, minRating: 4);
        Assert.AreEqual(2, split.ColdItems.Count);
        int Positives(InteractionTable t) => Enumerable.Range(0, t.Count).Count(r => t.Ratings![r] >= 4);
        Assert.AreEqual(Positives(train) + Positives(test), split.Train.Count + split.WarmTest.Count + split.ColdTest.Count, "ratings below 4 are not positives anywhere");
    }

    [TestMethod]
    public void ContentOnlyScoresTheCosineWithTheMeanLikedEmbedding()
    {
        var text = new TextFeatures(["10", "11", "12", "13"], [[1f, 0f], [0f, 1f], [1f, 1f], [3f, -1f]], "t");
        var liked = InteractionData.FromIndices(IdVocabulary.FromInt64([1, 2]), IdVocabulary.FromInt64([10, 11]), [0, 0, 1], [0, 1, 1]);
        var catalogue = IdVocabulary.FromInt64([12, 13, 99]);
        var scorer = new ContentSimilarityScorer(liked, text, catalogue);
        var scores = new float[3];
        scorer.ScoreAllItems(0, scores);   // profile (1, 1)/√2
        Assert.AreEqual(1f, scores[0], 1e-6f);
        Assert.AreEqual((3 - 1) / (MathF.Sqrt(2) * MathF.Sqrt(10)), scores[1], 1e-6f);
        Assert.AreEqual(0f, scores[2], "an item without text scores 0");
        scorer.ScoreAllItems(1, scores);   // profile (0, 1)
        Assert.AreEqual(1 / MathF.Sqrt(2), scores[0], 1e-6f);
        Assert.AreEqual(-1 / MathF.Sqrt(10), scores[1], 1e-6f);
    }

    [TestMethod]
    public void RandomScoresAreReproducibleAndDifferPerUserAndSeed()
    {
        float[] Scores(int seed, int user)
        {
            var s = new float[50];
            new RandomItemScorer(50, seed).ScoreAllItems(user, s);
            return s;
        }
        CollectionAssert.AreEqual(Scores(1, 3), Scores(1, 3));
        CollectionAssert.AreNotEqual(Scores(1, 3), Scores(1, 4));
        CollectionAssert.AreNotEqual(Scores(1, 3), Scores(2, 3));
        Assert.IsTrue(Scores(5, 0).All(v => v is >= 0 and < 1));
    }
}
