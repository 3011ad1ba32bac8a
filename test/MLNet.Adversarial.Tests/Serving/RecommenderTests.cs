using System.Collections.Concurrent;
using MLNet.Adversarial.Data;
using MLNet.Adversarial.Models;
using MLNet.Adversarial.Onnx;
using MLNet.Adversarial.Serving;
using MLNet.Adversarial.Tests.Hybrid;
using MLNet.Adversarial.Tests.Onnx;
using static MLNet.Adversarial.Tests.Onnx.OnnxTestModels;

namespace MLNet.Adversarial.Tests.Serving;

[TestClass]
public sealed class RecommenderTests
{
    /// <summary>The small models of every family, with training positives (user 0 has all items but two, user 1 none).</summary>
    public static IEnumerable<object[]> Models()
    {
        foreach (var kind in new[] { IdKind.Int64, IdKind.String })
        {
            yield return ["factorisation", kind];
            yield return ["hybrid", kind];
            yield return ["cfgan", kind];
            yield return ["cfgan-item-based", kind];
        }
    }

    private static (IRecommenderModel Model, InteractionData Training) Build(string family, IdKind kind) => family switch
    {
        "factorisation" => WithTraining(RandomModel(kind)),
        "hybrid" => WithTraining(HybridOnnxTests.RandomHybrid(kind, userText: true)),
        "cfgan" => Cfgan(CfganOnnxExportTests.RandomCfgan(kind, sigmoidOutput: false)),
        "cfgan-item-based" => Cfgan(CfganOnnxExportTests.RandomCfgan(kind, sigmoidOutput: false, CfganOrientation.ItemBased)),
        _ => throw new ArgumentOutOfRangeException(nameof(family)),
    };

    private static (IRecommenderModel, InteractionData) WithTraining(IRecommenderModel model) =>
        (model, RandomTraining(new FactorizationModel(model.Users, model.Items, 1, new float[model.Users.Count], new float[model.Items.Count], new float[model.Items.Count])));

    private static (IRecommenderModel, InteractionData) Cfgan(CfganModel model) => (model, model.Purchases);

    /// <summary>Every known user's raw id as text, then the unknown ones.</summary>
    private static string[] UserIds(IdVocabulary users)
    {
        var (ints, strings) = KnownAndUnknownIds(users);
        return strings ?? [.. ints!.Select(i => i.ToString(System.Globalization.CultureInfo.InvariantCulture))];
    }

    /// <summary>topk.onnx's rows for <paramref name="userIds"/>, run in ONNX Runtime, −∞ tail (excluded items) cut off.</summary>
    private static (string Id, float Score)[][] OnnxTopK(IRecommenderModel model, InteractionData training, string[] userIds, int k, bool exclude)
    {
        var onnx = model.ExportTopK(new TopKExportOptions { ModelKind = "test", K = k, ExcludeTrainingItems = exclude, TrainingData = training });
        using var session = Session(onnx);
        var (ints, strings) = model.Users.Kind == IdKind.Int64 ? ([.. userIds.Select(long.Parse)], null) : ((long[]?)null, userIds);
        using var results = session.Run([IdInput(OnnxContract.UserInput, ints, strings, column: false)]);
        var scores = results.Single(r => r.Name == OnnxContract.ScoresOutput).AsTensor<float>();
        var idsOut = results.Single(r => r.Name == OnnxContract.ItemIdsOutput);
        string[] ids = model.Items.Kind == IdKind.Int64
            ? [.. idsOut.AsEnumerable<long>().Select(v => v.ToString(System.Globalization.CultureInfo.InvariantCulture))]
            : [.. idsOut.AsEnumerable<string>()];
        int width = scores.Dimensions[1];
        return [.. Enumerable.Range(0, userIds.Length).Select(r => Enumerable.Range(0, width)
            .Select(c => (Id: ids[r * width + c], Score: scores[r, c])).TakeWhile(e => !float.IsNegativeInfinity(e.Score)).ToArray())];
    }

    private static void AssertSameRanking((string Id, float Score)[] expected, RecommendedItem[] actual, string what)
    {
        CollectionAssert.AreEqual(expected.Select(e => e.Id).ToArray(), actual.Select(a => a.ItemId).ToArray(), what);
        for (int r = 0; r < expected.Length; r++) Assert.AreEqual(expected[r].Score, actual[r].Score, 1e-5f, $"{what}, rank {r + 1}");
    }

    [TestMethod]
    [DynamicData(nameof(Models))]
    public void EveryUserGetsWhatTopKOnnxReturns(string family, IdKind kind)
    {
        var (model, training) = Build(family, kind);
        var recommender = new Recommender(model, training);
        var users = UserIds(model.Users);
        foreach (var (k, exclude) in new[] { (5, true), (model.Items.Count, true), (7, false) })
        {
            var expected = OnnxTopK(model, training, users, k, exclude);
            var batch = recommender.RecommendBatch(users, k, exclude ? ItemExclusion.Seen : ItemExclusion.None);
            for (int u = 0; u < users.Length; u++)
            {
                var one = recommender.Recommend(users[u], k, exclude ? ItemExclusion.Seen : ItemExclusion.None);
                AssertSameRanking(expected[u], one, $"{family}, user {users[u]}, k {k}, exclude {exclude}");
                AssertSameRanking(expected[u], batch[u], $"{family}, batch, user {users[u]}, k {k}, exclude {exclude}");
            }
        }
    }

    [TestMethod]
    public void SeenItemsAreNeverReturnedAndTheRowIsNotPadded()
    {
        var model = RandomModel(IdKind.Int64);
        var training = RandomTraining(model);
        var recommender = new Recommender(model, training);
        for (int u = 0; u < model.Users.Count; u++)
        {
            var top = recommender.Recommend(model.Users.Int64Ids[u], model.Items.Count);
            Assert.HasCount(model.Items.Count - training.ItemsOf(u).Length, top, $"user {u}: every item not seen, no more");
            foreach (var item in top) Assert.IsFalse(training.Contains(u, item.ItemIndex), $"user {u} got training item {item.ItemId}");
        }
        // User 0 has every item but two: asking for ten gives those two.
        Assert.HasCount(2, recommender.Recommend(model.Users.Int64Ids[0], 10));
    }

    [TestMethod]
    public void GivenIdsAreLeftOutAndTrainingItemsStay()
    {
        var model = RandomModel(IdKind.String);
        var recommender = new Recommender(model, RandomTraining(model));
        string user = model.Users.StringIds[3];
        var everything = recommender.Recommend(user, model.Items.Count, ItemExclusion.None);
        var banned = everything.Take(4).Select(i => i.ItemId).Append("not-an-item").ToArray();
        var rest = recommender.Recommend(user, model.Items.Count, ItemExclusion.Items(banned));
        CollectionAssert.AreEqual(everything.Skip(4).ToArray(), rest, "the ranking without the given ids, the unknown id ignored");
    }

    [TestMethod]
    public void CandidatesRestrictTheRanking()
    {
        var model = RandomModel(IdKind.Int64);
        var training = RandomTraining(model);
        var recommender = new Recommender(model, training);
        int user = 2;
        var candidates = model.Items.Int64Ids.ToArray().Where((_, i) => i % 3 == 0).Append(-1L).ToArray();
        var top = recommender.Recommend(model.Users.Int64Ids[user], 4, ItemExclusion.Seen, candidates);
        var expected = recommender.Recommend(model.Users.Int64Ids[user], model.Items.Count)
            .Where(i => i.ItemIndex % 3 == 0).Take(4).ToArray();
        Assert.IsNotEmpty(expected);
        CollectionAssert.AreEqual(expected, top, "the full ranking filtered to the candidates (an unknown candidate ignored)");
    }

    [TestMethod]
    public void UnknownUsersGetTheFallbackRankingWithNothingExcluded()
    {
        var model = RandomModel(IdKind.Int64);
        var recommender = new Recommender(model, RandomTraining(model));
        var expected = ReferenceTopK(model, -1, exclude: null, 6);
        var top = recommender.Recommend(UnknownInt64[2], 6);
        CollectionAssert.AreEqual(expected.Select(e => e.Item).ToArray(), top.Select(t => t.ItemIndex).ToArray());
        CollectionAssert.AreEqual(top, recommender.Recommend("no such user", 6), "a text id an integer model cannot parse is unknown too");
    }

    [TestMethod]
    public void ManyThreadsGetTheSequentialAnswers()
    {
        var model = HybridOnnxTests.RandomHybrid(IdKind.Int64, userText: false);
        var recommender = new Recommender(model, RandomTraining(RandomModel(IdKind.Int64)));
        var users = UserIds(model.Users);
        var sequential = users.Select(u => recommender.Recommend(u, 8)).ToArray();
        var seen = new ConcurrentBag<(int User, RecommendedItem[] Top)>();
        Parallel.For(0, 400, new ParallelOptions { MaxDegreeOfParallelism = 8 }, r => seen.Add((r % users.Length, recommender.Recommend(users[r % users.Length], 8))));
        Assert.HasCount(400, seen);
        foreach (var (user, top) in seen) CollectionAssert.AreEqual(sequential[user], top, $"user {users[user]}");
    }

    [TestMethod]
    public void BadArgumentsSayWhatIsWrong()
    {
        var model = RandomModel(IdKind.Int64);
        Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => new Recommender(model, null).Recommend(100L, 0, ItemExclusion.None));
        var e = Assert.ThrowsExactly<InvalidOperationException>(() => new Recommender(model, null).Recommend(100L, 3));
        StringAssert.Contains(e.Message, "ItemExclusion.None");
        Assert.HasCount(3, new Recommender(model, null).Recommend(100L, 3, ItemExclusion.None));
        var other = RandomTraining(RandomModel(IdKind.String));
        Assert.ThrowsExactly<ArgumentException>(() => new Recommender(model, other));
    }
}
