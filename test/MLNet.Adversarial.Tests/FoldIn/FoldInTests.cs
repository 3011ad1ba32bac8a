using Microsoft.ML;
using MLNet.Adversarial.Data;
using MLNet.Adversarial.Models;
using MLNet.Adversarial.Tests.Trainers;
using MLNet.Adversarial.Trainers;

namespace MLNet.Adversarial.Tests.FoldIn;

[TestClass]
public sealed class FoldInTests
{
    // Fixture users 1000..1059: even users like even items, odd users mostly odd items. The last ten are left out of training.
    private static readonly InteractionData All = InteractionData.FromTable(TrainingFixtures.Interactions(), null);

    private static InteractionData Users(Func<long, bool> keep)
    {
        var users = IdVocabulary.FromInt64(All.Users.Int64Ids.ToArray().Where(keep));
        var u = new List<int>();
        var i = new List<int>();
        for (int user = 0; user < All.Users.Count; user++)
            if (keep(All.Users.Int64Ids[user]))
                foreach (int item in All.ItemsOf(user)) { u.Add(users.IndexOf(All.Users.Int64Ids[user])); i.Add(item); }
        return InteractionData.FromIndices(users, All.Items, u.ToArray(), i.ToArray());
    }

    private static FactorizationModel Trained(InteractionData data, double adversarialWeight = 0) =>
        new MLContext(1).Adversarial().Trainers.Apr(TrainingFixtures.FastOptions(30).WithWeight(adversarialWeight)).Train(data, null, 7, null, out _).Model;

    /// <summary>Mean score of the user's own parity group minus the other group's: positive when the taste is recovered.</summary>
    private static double ParityMargin(FactorizationModel model, long userId)
    {
        var scores = new float[model.Items.Count];
        model.ScoreAllItems(model.Users.IndexOf(userId), scores);
        bool even = userId % 2 == 0;
        var own = Enumerable.Range(0, scores.Length).Where(i => (model.Items.Int64Ids[i] % 2 == 0) == even).Select(i => (double)scores[i]);
        var other = Enumerable.Range(0, scores.Length).Where(i => (model.Items.Int64Ids[i] % 2 == 0) != even).Select(i => (double)scores[i]);
        return own.Average() - other.Average();
    }

    [TestMethod]
    [DataRow(0.0)]
    [DataRow(1.0)]
    public void FoldedInUsersGetTheirGroupsTaste(double adversarialWeight)
    {
        var model = Trained(Users(id => id < 1050), adversarialWeight);
        var folded = model.FoldInUsers(Users(id => id >= 1050), new FoldInOptions { AdversarialWeight = adversarialWeight, Seed = 3 });

        Assert.AreEqual(60, folded.Users.Count);
        for (long id = 1050; id < 1060; id++)
            Assert.IsTrue(ParityMargin(folded, id) > 0, $"user {id}: margin {ParityMargin(folded, id)}");
        // The users the model was trained with keep their vectors.
        CollectionAssert.AreEqual(model.UserVector(model.Users.IndexOf(1000L)).ToArray(), folded.UserVector(folded.Users.IndexOf(1000L)).ToArray());
    }

    [TestMethod]
    public void FoldInIsDeterministicForASeed()
    {
        var model = Trained(Users(id => id < 1050));
        var added = Users(id => id >= 1050);
        var first = model.FoldInUsers(added, new FoldInOptions { Seed = 5 });
        var second = model.FoldInUsers(added, new FoldInOptions { Seed = 5 });
        CollectionAssert.AreEqual(first.UserFactors, second.UserFactors);
    }

    [TestMethod]
    public void FoldingInAKnownUserIsRefused()
    {
        var model = Trained(Users(id => id < 1050));
        var error = Assert.ThrowsExactly<ArgumentException>(() => model.FoldInUsers(Users(id => id == 1001), new FoldInOptions()));
        StringAssert.Contains(error.Message, "'1001' is already in the model");
    }

    [TestMethod]
    public void FoldedInItemsScoreHigherForTheUsersWhoChoseThem()
    {
        var data = Users(_ => true);
        var model = Trained(data);
        // A new item chosen by even users only.
        var even = Enumerable.Range(0, data.Users.Count).Where(u => data.Users.Int64Ids[u] % 2 == 0).ToArray();
        var items = IdVocabulary.FromInt64([9999L]);
        var interactions = InteractionData.FromIndices(data.Users, items, even, new int[even.Length]);
        var folded = model.FoldInItems(interactions, data, new FoldInOptions { Seed = 1 });

        int item = folded.Items.IndexOf(9999L);
        double Mean(bool evenUsers) => Enumerable.Range(0, data.Users.Count).Where(u => (data.Users.Int64Ids[u] % 2 == 0) == evenUsers)
            .Average(u => folded.Score(folded.Users.IndexOf(data.Users.Int64Ids[u]), item));
        Assert.IsTrue(Mean(true) > Mean(false), $"even users {Mean(true)}, odd users {Mean(false)}");
        Assert.AreEqual(model.Items.Count + 1, folded.Items.Count);
    }
}

internal static class FoldInTestOptions
{
    public static AprTrainer.Options WithWeight(this AprTrainer.Options options, double adversarialWeight)
    {
        options.AdversarialWeight = adversarialWeight;
        return options;
    }
}
