using MLNet.Adversarial.Data;
using MLNet.Adversarial.Evaluation;
using MLNet.Adversarial.Robustness;

namespace MLNet.Adversarial.Tests.Robustness;

[TestClass]
public sealed class ShillingAttackTests
{
    /// <summary>40 users, 30 items: user u rates items u % 30 .. +9 with 5, so popularity varies.</summary>
    private static InteractionTable Clean()
    {
        var users = new List<long>(); var items = new List<long>(); var ratings = new List<float>();
        for (int u = 0; u < 40; u++)
            for (int k = 0; k < 10 - u % 7; k++) { users.Add(u); items.Add(100 + (u + k * k) % 30); ratings.Add(u % 3 == 0 ? 3 : 5); }
        return new InteractionTable(IdColumn.OfInt64([.. users]), IdColumn.OfInt64([.. items]), [.. ratings], "clean");
    }

    [TestMethod]
    public void BandwagonAddsTheBudgetOfFakeUsersRatingTargetsAndPopularItemsHighest()
    {
        var clean = Clean();
        var poisoned = new ShillingAttack(new ShillingAttack.Options { FakeUserFraction = 0.1, SelectedItems = 3, FillerItems = 4, TargetCount = 2, Seed = 1 }).Poison(clean);
        Assert.HasCount(4, poisoned.FakeUsers);
        Assert.HasCount(2, poisoned.TargetItems);
        Assert.AreEqual(clean.Count, poisoned.CleanRows);
        Assert.AreEqual(clean.Count + 4 * (2 + 3 + 4), poisoned.Table.Count);
        var fakeRows = Enumerable.Range(clean.Count, poisoned.Table.Count - clean.Count).ToArray();
        foreach (var r in fakeRows)
        {
            Assert.IsTrue(poisoned.Table.Users.Int64Values[r] >= 40, "fake ids are new ids");
            if (poisoned.TargetItems.Contains(poisoned.Table.Items.Int64Values[r].ToString())) Assert.AreEqual(5f, poisoned.Table.Ratings![r]);
        }
        var again = new ShillingAttack(new ShillingAttack.Options { FakeUserFraction = 0.1, SelectedItems = 3, FillerItems = 4, TargetCount = 2, Seed = 1 }).Poison(clean);
        CollectionAssert.AreEqual(poisoned.Table.Items.Int64Values.ToArray(), again.Table.Items.Int64Values.ToArray(), "seeded: the same attack twice");
    }

    [TestMethod]
    public void DefaultTargetsAreUnpopularItems()
    {
        var positives = InteractionData.FromTable(Clean(), 4);
        var counts = positives.ItemCounts();
        var targets = new ShillingAttack(new ShillingAttack.Options { TargetCount = 2, Seed = 3 }).ChooseTargets(positives);
        double median = counts.Where(c => c > 0).Order().ElementAt(counts.Count(c => c > 0) / 2);
        foreach (var t in targets) Assert.IsTrue(counts[t] > 0 && counts[t] <= median, $"target {t} has {counts[t]} positives");
    }

    [TestMethod]
    public void BadOptionsAndUnknownTargetsAreNamed()
    {
        var e = Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => new ShillingAttack(new ShillingAttack.Options { FakeUserFraction = 0 }));
        StringAssert.Contains(e.Message, "FakeUserFraction");
        var a = Assert.ThrowsExactly<ArgumentException>(() => new ShillingAttack(new ShillingAttack.Options { Targets = ["999"] }).Poison(Clean()));
        StringAssert.Contains(a.Message, "'999'");
    }

    [TestMethod]
    public void TargetRanksFollowTheScores()
    {
        var train = InteractionData.FromTable(Clean(), 4);
        var pop = new ItemPopularity(train);
        var counts = train.ItemCounts();
        int most = Array.IndexOf(counts, counts.Max());
        var m = TargetItemEvaluator.Evaluate(pop, train, [most], 1);
        Assert.IsGreaterThan(0, m.Pairs);
        Assert.AreEqual(1.0, m.MedianRank, "the most popular item ranks first for every user without it under ItemPop");
        Assert.AreEqual(1.0, m.HitRate);
    }
}
