using MLNet.Adversarial.Data;
using MLNet.Adversarial.Evaluation;

namespace MLNet.Adversarial.Tests.Privacy;

[TestClass]
public sealed class PrivacyEvaluatorTests
{
    [TestMethod]
    public void RocAucIsRankBasedWithTiesAveraged()
    {
        Assert.AreEqual(1.0, PrivacyEvaluator.RocAuc([0.1, 0.2, 0.8, 0.9], [0, 0, 1, 1]), 1e-12);
        Assert.AreEqual(0.0, PrivacyEvaluator.RocAuc([0.9, 0.8, 0.2, 0.1], [0, 0, 1, 1]), 1e-12);
        Assert.AreEqual(0.5, PrivacyEvaluator.RocAuc([0.5, 0.5, 0.5, 0.5], [0, 1, 0, 1]), 1e-12);
        // Pairs (pos, neg): (0.8,0.1) win, (0.8,0.8) tie, (0.3,0.1) win, (0.3,0.8) loss → (1 + 0.5 + 1 + 0) / 4.
        Assert.AreEqual(0.625, PrivacyEvaluator.RocAuc([0.1, 0.8, 0.8, 0.3], [0, 0, 1, 1]), 1e-12);
        Assert.ThrowsExactly<ArgumentException>(() => PrivacyEvaluator.RocAuc([0.1, 0.2], [1, 1]));
    }

    [TestMethod]
    public void BalancedAccuracyAveragesPerClassRecall()
    {
        // Class 0: 3 of 4 right; class 1: 0 of 1; class 2: 1 of 1.
        Assert.AreEqual((0.75 + 0 + 1) / 3, PrivacyEvaluator.BalancedAccuracy([0, 0, 0, 1, 0, 2], [0, 0, 0, 0, 1, 2], 3), 1e-12);
        Assert.AreEqual(0.5, PrivacyEvaluator.BalancedAccuracy([1, 1, 1, 1], [1, 1, 1, 0], 2), 1e-12, "always the majority is chance");
    }

    [TestMethod]
    public void FoldsAreStratifiedAndBalanced()
    {
        var y = Enumerable.Range(0, 103).Select(i => i % 10 < 3 ? 1 : 0).ToArray();
        var folds = PrivacyEvaluator.StratifiedFolds(y, 2, 5, seed: 4);
        for (int f = 0; f < 5; f++)
        {
            var members = Enumerable.Range(0, y.Length).Where(r => folds[r] == f).ToArray();
            Assert.IsInRange(20, 21, members.Length);
            Assert.IsInRange(6, 7, members.Count(r => y[r] == 1));
        }
        CollectionAssert.AreEqual(folds, PrivacyEvaluator.StratifiedFolds(y, 2, 5, seed: 4));
    }

    /// <summary>Users whose vectors carry the class in dimension 0 with strength <paramref name="signal"/>, plus noise.</summary>
    private static (IdVocabulary Users, float[] Vectors, SensitiveAttributes Attribute) Planted(double signal, int classes = 2, int users = 200, int d = 8)
    {
        var rng = new Random(11);
        var vocabulary = IdVocabulary.FromInt64(Enumerable.Range(1, users).Select(u => (long)u));
        var vectors = new float[users * d];
        var pairs = new List<KeyValuePair<string, string>>();
        for (int u = 0; u < users; u++)
        {
            int c = u % classes;
            for (int j = 0; j < d; j++) vectors[u * d + j] = (float)(rng.NextDouble() * 2 - 1);
            vectors[u * d] += (float)(signal * c);
            // A non-linear trace too: the norm of dimension 1 depends on the class.
            vectors[u * d + 1] *= (float)(1 + signal * c);
            pairs.Add(new((u + 1).ToString(System.Globalization.CultureInfo.InvariantCulture), "c" + c));
        }
        return (vocabulary, vectors, new SensitiveAttributes(pairs, "planted"));
    }

    private static readonly PrivacyEvaluator Fast = new(new PrivacyEvaluator.Options { Iterations = 100, MlpHiddenSize = 16, Seed = 3 });

    [TestMethod]
    public void AttackersFindAPlantedAttributeAndNotAnAbsentOne()
    {
        var (users, leaky, attribute) = Planted(signal: 2);
        var found = Fast.Evaluate(users, leaky, 8, attribute);
        Assert.IsTrue(found.IsBinary);
        CollectionAssert.AreEqual(new[] { 100, 100 }, found.ClassCounts.ToArray());
        Assert.IsGreaterThan(0.9, found[PrivacyEvaluator.LogisticRegression].RocAuc!.Value);
        Assert.IsGreaterThan(0.9, found[PrivacyEvaluator.Mlp].RocAuc!.Value);
        Assert.IsGreaterThan(0.8, found[PrivacyEvaluator.Mlp].BalancedAccuracy);

        var (_, clean, _) = Planted(signal: 0);
        var none = Fast.Evaluate(users, clean, 8, attribute);
        foreach (var a in none.Attackers) Assert.IsInRange(0.35, 0.65, a.RocAuc!.Value, a.Attacker);
    }

    [TestMethod]
    public void MultiClassReportsBalancedAccuracyOnlyAndIsDeterministic()
    {
        var (users, vectors, attribute) = Planted(signal: 3, classes: 3, users: 150);
        var first = Fast.Evaluate(users, vectors, 8, attribute);
        Assert.IsFalse(first.IsBinary);
        Assert.IsNull(first.Attackers[0].RocAuc);
        Assert.IsGreaterThan(0.6, first.WorstCase, "well above the chance level 1/3");
        var second = Fast.Evaluate(users, vectors, 8, attribute);
        CollectionAssert.AreEqual(first.Attackers.ToArray(), second.Attackers.ToArray(), "same seed, same result");
    }

    [TestMethod]
    public void UsersWithoutAClassAreLeftOutAndTinyClassesAreRejected()
    {
        var (users, vectors, _) = Planted(signal: 1, users: 40);
        var some = new SensitiveAttributes(Enumerable.Range(1, 30).Select(u => new KeyValuePair<string, string>(u.ToString(System.Globalization.CultureInfo.InvariantCulture), u % 2 == 0 ? "a" : "b")));
        Assert.AreEqual(30, Fast.Evaluate(users, vectors, 8, some).UserCount);
        var tiny = new SensitiveAttributes([new("1", "a"), new("2", "a"), new("3", "a"), new("4", "a"), new("5", "a"), new("6", "b")]);
        var e = Assert.ThrowsExactly<InvalidOperationException>(() => Fast.Evaluate(users, vectors, 8, tiny));
        StringAssert.Contains(e.Message, "'b'");
    }
}
