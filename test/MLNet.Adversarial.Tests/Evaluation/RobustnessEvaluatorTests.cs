using MLNet.Adversarial.Data;
using MLNet.Adversarial.Evaluation;
using MLNet.Adversarial.Models;

namespace MLNet.Adversarial.Tests.Evaluation;

[TestClass]
public sealed class RobustnessEvaluatorTests
{
    [TestMethod]
    public void AttackFollowsTheNormalisedBprGradient()
    {
        // One user, positive item 0, so the only negative is item 1. The BPR gradient directions are
        // p: −(q0 − q1), q0: −p, q1: +p; each is scaled to norm ε and added. Biases stay.
        var users = IdVocabulary.FromInt64([1]);
        var items = IdVocabulary.FromInt64([10, 11]);
        var model = new FactorizationModel(users, items, 2, [1f, 0.5f], [1f, 0f, 0f, 1f], [0.3f, -0.2f]);
        var train = InteractionData.FromIndices(users, items, [0], [0]);
        const float eps = 0.1f;
        var attacked = new RobustnessEvaluator().Attack(model, train, eps);

        float s = eps / MathF.Sqrt(2), pn = eps / MathF.Sqrt(1.25f);
        AssertClose([1f - s, 0.5f + s], attacked.UserFactors);
        AssertClose([1f - pn * 1f, 0f - pn * 0.5f, 0f + pn * 1f, 1f + pn * 0.5f], attacked.ItemFactors);
        CollectionAssert.AreEqual(model.ItemBias, attacked.ItemBias);
        Assert.IsLessThan(model.Score(0, 0) - model.Score(0, 1), attacked.Score(0, 0) - attacked.Score(0, 1));
    }

    [TestMethod]
    public void AttackLowersNdcgAndZeroNoiseChangesNothing()
    {
        var (model, split) = SyntheticCase();
        var evaluator = new RobustnessEvaluator(new() { Epsilons = [0, 1], Seed = 3, Ranking = new() { Ks = [5] } });
        var results = evaluator.Evaluate(model, split.Train, split.Test);

        Assert.HasCount(2, results);
        var none = results[0];
        Assert.AreEqual(none.Clean.ToString(), none.Attacked.ToString());
        Assert.AreEqual(0, none.RelativeDrop[0].Ndcg);

        var attacked = results[1];
        Assert.IsGreaterThan(0.9, attacked.Clean.At(5).Ndcg);
        Assert.IsLessThan(attacked.Clean.At(5).Ndcg, attacked.Attacked.At(5).Ndcg);
        Assert.AreEqual((attacked.Clean.At(5).Ndcg - attacked.Attacked.At(5).Ndcg) / attacked.Clean.At(5).Ndcg, attacked.RelativeDrop[0].Ndcg, 1e-12);
        Assert.IsGreaterThan(0.0, attacked.RelativeDrop[0].Ndcg);
    }

    [TestMethod]
    public void NegativeOrMissingEpsilonsAreRejected()
    {
        Assert.ThrowsExactly<ArgumentException>(() => new RobustnessEvaluator(new() { Epsilons = [-0.1] }));
        Assert.ThrowsExactly<ArgumentException>(() => new RobustnessEvaluator(new() { Epsilons = [] }));
    }

    /// <summary>A random model and positives taken from its own top-10 items per user: 7 for training, 3 for test.</summary>
    private static (FactorizationModel Model, (InteractionData Train, InteractionData Test) Split) SyntheticCase()
    {
        const int userCount = 30, itemCount = 40, d = 4;
        var rng = new Random(11);
        float Normal() => (float)(Math.Sqrt(-2 * Math.Log(1 - rng.NextDouble())) * Math.Cos(2 * Math.PI * rng.NextDouble()));
        var users = IdVocabulary.FromInt64(Enumerable.Range(0, userCount).Select(i => (long)i));
        var items = IdVocabulary.FromInt64(Enumerable.Range(0, itemCount).Select(i => (long)i));
        var model = new FactorizationModel(users, items, d,
            Enumerable.Range(0, userCount * d).Select(_ => Normal()).ToArray(),
            Enumerable.Range(0, itemCount * d).Select(_ => Normal()).ToArray(), new float[itemCount]);
        var train = new List<(int, int)>();
        var test = new List<(int, int)>();
        for (int u = 0; u < userCount; u++)
        {
            var top = Enumerable.Range(0, itemCount).OrderByDescending(i => model.Score(u, i)).Take(10).ToArray();
            rng.Shuffle(top);
            train.AddRange(top.Take(7).Select(i => (u, i)));
            test.AddRange(top.Skip(7).Select(i => (u, i)));
        }
        return (model, (ToyData.Positives(userCount, itemCount, [.. train]), ToyData.Positives(userCount, itemCount, [.. test])));
    }

    private static void AssertClose(float[] expected, float[] actual)
    {
        Assert.HasCount(expected.Length, actual);
        for (int i = 0; i < expected.Length; i++) Assert.AreEqual(expected[i], actual[i], 1e-6f, $"index {i}");
    }
}
