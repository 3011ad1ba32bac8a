using Microsoft.ML;
using MLNet.Adversarial.Data;
using MLNet.Adversarial.Evaluation;
using MLNet.Adversarial.Models;
using MLNet.Adversarial.Text;
using MLNet.Adversarial.Trainers;
using MLNet.Adversarial.Training;
using TorchSharp;

namespace MLNet.Adversarial.Tests.Hybrid;

[TestClass]
public sealed class HybridTrainingTests
{
    private static ColdStartSplit Split(int seed = 3) => ColdStartSplit.FromTable(HybridFixtures.Interactions(), 0.2, seed, null);

    [TestMethod]
    public void TextThatDeterminesPreferenceRanksColdItemsAboveIdOnlyAndRandom()
    {
        var text = HybridFixtures.ItemText();
        var split = Split();
        var evaluator = new ColdStartEvaluator(split, new RankingEvaluator.Options { Ks = [5] });
        var ml = new MLContext(1);

        var hybrid = ml.Adversarial().Trainers.Bpr(HybridFixtures.Options(text)).TrainHybrid(split.Train, null, 7, null, out _).Model;
        var idOnly = ml.Adversarial().Trainers.Bpr(HybridFixtures.Options(null)).Train(split.Train, null, 7, null, out _).Model;

        var hybridCold = evaluator.EvaluateCold(evaluator.ColdScorer(hybrid, text)).At(5).Ndcg;
        // The id-only model has never seen a cold item: each gets its fallback row, so all tie.
        var idOnlyCold = evaluator.EvaluateCold(new FactorizationModelScorer(idOnly, split.Users, split.ColdItems)).At(5).Ndcg;
        var randomCold = evaluator.EvaluateCold(new RandomItemScorer(split.ColdItems.Count, 1)).At(5).Ndcg;
        Assert.IsGreaterThan(idOnlyCold + 0.2, hybridCold, $"hybrid {hybridCold:F3}, id-only {idOnlyCold:F3}");
        Assert.IsGreaterThan(randomCold + 0.2, hybridCold, $"hybrid {hybridCold:F3}, random {randomCold:F3}");
    }

    [TestMethod]
    public void AprsAdversarialTermAloneMovesTheTextProjection()
    {
        // Only the adversarial term is differentiated, so W moves only if the perturbation of q + W·t reaches it.
        var train = Split().Train;
        var text = TrainingText.Create(train, HybridFixtures.ItemText(), null);
        using var net = new MatrixFactorizationNetwork(train.Users.Count, train.Items.Count, 8, 0.1, new Random(1), OptimizerKind.Adam, 0.01, torch.CPU, text);
        using var scope = torch.NewDisposeScope();
        var pairs = Enumerable.Range(0, 16).Select(k => (User: k % train.Users.Count, Positive: train.ItemsOf(k % train.Users.Count)[0], Negative: (k * 7) % train.Items.Count)).ToArray();
        var userRows = pairs.Select(p => (long)p.User).Distinct().ToArray();
        var itemRows = pairs.SelectMany(p => new[] { (long)p.Positive, (long)p.Negative }).Distinct().ToArray();
        var batch = net.Gather(torch.tensor(userRows), torch.tensor(pairs.Select(p => (long)Array.IndexOf(userRows, (long)p.User)).ToArray()),
            torch.tensor(itemRows), torch.tensor(pairs.Select(p => (long)Array.IndexOf(itemRows, (long)p.Positive))
                .Concat(pairs.Select(p => (long)Array.IndexOf(itemRows, (long)p.Negative))).ToArray()));
        var clean = BprObjective.Loss(batch.UserVectors, batch.PositiveVectors, batch.NegativeVectors, null);
        using var epsilon = 0.5.ToScalar();
        var adversarial = BprObjective.AdversarialLoss(clean, batch.UserVectors, batch.PositiveVectors, batch.NegativeVectors, null, epsilon);
        Assert.IsTrue(net.ItemTextWeights().All(w => w == 0), "W starts at zero");

        adversarial.backward();
        net.Step(batch, updateBias: false);

        var moved = net.ItemTextWeights().Count(w => w != 0);
        Assert.IsGreaterThan(net.ItemTextWeights().Length / 2, moved, "the adversarial term's gradient reaches W");
    }

    [TestMethod]
    public void HybridAprIsDeterministicAndResumesToTheSameModel()
    {
        var text = HybridFixtures.ItemText();
        var train = Split().Train;
        HybridFactorizationModel TrainModel(int epochs, TrainingCheckpoint? resume, out TrainingCheckpoint checkpoint)
        {
            var options = HybridFixtures.Options(text, epochs: 6, adversarialWeight: 1);
            options.Epochs = epochs;
            options.AdversarialStartEpoch = 2;
            options.ResumeFrom = resume;
            return new MLContext(1).Adversarial().Trainers.Apr(options).TrainHybrid(train, null, 7, null, out checkpoint).Model;
        }
        var full = TrainModel(6, null, out _);
        var again = TrainModel(6, null, out _);
        TrainModel(3, null, out var halfway);
        var resumed = TrainModel(6, halfway, out _);

        CollectionAssert.AreEqual(full.ItemText.Weights, again.ItemText.Weights);
        CollectionAssert.AreEqual(full.Effective.ItemFactors, resumed.Effective.ItemFactors, "the checkpoint holds W and its optimiser state");
        CollectionAssert.AreEqual(full.ItemText.Weights, resumed.ItemText.Weights);
        Assert.IsTrue(full.ItemText.Weights.Any(w => w != 0));
    }

    [TestMethod]
    public void ResumingWithOtherTextIsRefused()
    {
        var train = Split().Train;
        var options = HybridFixtures.Options(HybridFixtures.ItemText(seed: 5), epochs: 2);
        new MLContext(1).Adversarial().Trainers.Bpr(options).TrainHybrid(train, null, 7, null, out var checkpoint);
        var other = HybridFixtures.Options(HybridFixtures.ItemText(seed: 6), epochs: 3);
        other.ResumeFrom = checkpoint;
        var e = Assert.ThrowsExactly<InvalidOperationException>(() => new MLContext(1).Adversarial().Trainers.Bpr(other).TrainHybrid(train, null, 7, null, out _));
        StringAssert.Contains(e.Message, "ItemText");
    }

    [TestMethod]
    public void ItemsWithoutTextGetTheMeanEmbeddingAndStillTrain()
    {
        var full = HybridFixtures.ItemText();
        // Drop the text of three items: they keep an id vector and get the average text (a zero text part).
        var kept = full.Ids.Skip(3).ToArray();
        var partial = new TextFeatures(kept, kept.Select(id => full.Find(id).ToArray()).ToArray(), "partial text");
        var train = Split().Train;
        var log = new List<string>();
        var model = new MLContext(1).Adversarial().Trainers.Bpr(HybridFixtures.Options(partial, epochs: 3)).TrainHybrid(train, null, 7, log.Add, out _).Model;

        int missing = Enumerable.Range(0, train.Items.Count).Count(i => !partial.Contains(train.Items.GetIdText(i)));
        Assert.IsGreaterThan(0, missing);
        Assert.IsTrue(log.Any(l => l.Contains($"{missing} of {train.Items.Count} items have no text")), string.Join("\n", log));
        int t = model.ItemText.TextDimension;
        var projected = new float[model.Dimension];
        for (int i = 0; i < train.Items.Count; i++)
        {
            if (partial.Contains(train.Items.GetIdText(i))) continue;
            var row = model.ItemText.Embeddings.AsSpan(i * t, t);
            for (int k = 0; k < t; k++) Assert.AreEqual(model.ItemText.Center[k], row[k], 1e-6f, "an item without text holds the mean embedding");
            model.ItemText.Project(row, projected);
            Assert.IsTrue(projected.All(v => Math.Abs(v) < 1e-5), "so its text part is zero");
            CollectionAssert.AreEqual(model.IdFactors.ItemVector(i).ToArray(), model.Effective.ItemVector(i).ToArray());
        }
    }

    [TestMethod]
    public void TextThatMatchesNoTrainingItemIsAnError()
    {
        var text = new TextFeatures(["nope-1", "nope-2"], [new float[4], new float[4]], "unrelated.tsv");
        var e = Assert.ThrowsExactly<ArgumentException>(() =>
            new MLContext(1).Adversarial().Trainers.Bpr(HybridFixtures.Options(text, epochs: 1)).TrainHybrid(Split().Train, null, 7, null, out _));
        StringAssert.Contains(e.Message, "unrelated.tsv");
        StringAssert.Contains(e.Message, "do the ids match");
    }

    [TestMethod]
    public void TrainAndTrainHybridNameEachOther()
    {
        var train = Split().Train;
        var hybrid = new MLContext(1).Adversarial().Trainers.Bpr(HybridFixtures.Options(HybridFixtures.ItemText(), epochs: 1));
        StringAssert.Contains(Assert.ThrowsExactly<InvalidOperationException>(() => hybrid.Train(train, null, 7, null, out _)).Message, "TrainHybrid");
        var idOnly = new MLContext(1).Adversarial().Trainers.Bpr(HybridFixtures.Options(null, epochs: 1));
        StringAssert.Contains(Assert.ThrowsExactly<InvalidOperationException>(() => idOnly.TrainHybrid(train, null, 7, null, out _)).Message, "ItemText");
    }

    [TestMethod]
    public void UserTextAddsAProjectedPartToTheUserVectors()
    {
        var train = Split().Train;
        // Each user's "text" is their topic's axis: users of one topic share it.
        var users = Enumerable.Range(0, train.Users.Count).Select(u => train.Users.GetIdText(u)).ToArray();
        var userText = new TextFeatures(users, users.Select(id => HybridFixtures.TopicEmbedding((int)(long.Parse(id, System.Globalization.CultureInfo.InvariantCulture) - 1000) % HybridFixtures.Topics)).ToArray(), "users.tsv");
        var options = HybridFixtures.Options(HybridFixtures.ItemText(), epochs: 5);
        options.UserText = userText;
        var model = new MLContext(1).Adversarial().Trainers.Bpr(options).TrainHybrid(train, null, 7, null, out _).Model;

        Assert.IsNotNull(model.UserText);
        Assert.IsTrue(model.UserText.Weights.Any(w => w != 0), "V is trained");
        CollectionAssert.AreNotEqual(model.IdFactors.UserFactors, model.Effective.UserFactors);
        var expected = model.IdFactors.UserVector(0).ToArray();
        var projected = new float[model.Dimension];
        model.UserText.Project(userText.Find(users[0]), projected);
        for (int k = 0; k < expected.Length; k++) Assert.AreEqual(expected[k] + projected[k], model.Effective.UserVector(0)[k], 1e-5f);
    }

    [TestMethod]
    public void UserTextNeedsItemTextAndExcludesPrivacy()
    {
        var options = HybridFixtures.Options(null);
        options.UserText = HybridFixtures.ItemText();
        Assert.AreEqual("UserText", Assert.ThrowsExactly<ArgumentOutOfRangeException>(options.Validate).ParamName);
        options.ItemText = HybridFixtures.ItemText();
        options.Validate();
        options.Privacy = new PrivacyOptions { SensitiveAttributes = new MLNet.Adversarial.Data.SensitiveAttributes([new("1000", "a"), new("1001", "b")]) };
        StringAssert.Contains(Assert.ThrowsExactly<ArgumentOutOfRangeException>(options.Validate).Message, "cannot be combined with Privacy");
    }
}
