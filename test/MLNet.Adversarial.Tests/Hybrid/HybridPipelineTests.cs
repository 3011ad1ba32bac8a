using Microsoft.ML;
using Microsoft.ML.Data;
using MLNet.Adversarial.Data;
using MLNet.Adversarial.Models;
using MLNet.Adversarial.Onnx;
using MLNet.Adversarial.Tests.Trainers;

namespace MLNet.Adversarial.Tests.Hybrid;

[TestClass]
public sealed class HybridPipelineTests
{
    private sealed class Pair
    {
        public long UserId { get; set; }
        public long ItemId { get; set; }
    }

    private sealed class Scored
    {
        public float Score { get; set; }
    }

    [TestMethod]
    public void FitServesTheHybridModelWithTextOnlyItemsInTheCatalogue()
    {
        var ml = new MLContext(1);
        // 64 items have text; the interactions only name items 0..59, so 60..63 are text-only.
        var text = HybridFixtures.ItemText(items: 64);
        var table = HybridFixtures.Interactions();
        var options = HybridFixtures.Options(text, epochs: 4, adversarialWeight: 1);
        using var recommender = ml.Adversarial().Trainers.Apr(options).Fit(table.DataView());

        var model = (HybridFactorizationModel)recommender.Model;
        Assert.AreEqual(64, model.Items.Count, "text-only items are part of the catalogue");
        Assert.AreEqual(64, recommender.TrainingData.Items.Count);
        var metadata = OnnxModelFile.Validate(recommender.ScorerOnnx);
        Assert.AreEqual("hybrid-apr-mf", metadata[OnnxMetadataKeys.ModelKind]);
        Assert.AreEqual("fixture text", metadata[OnnxMetadataKeys.HyperParameterPrefix + "item_text"]);

        var scored = recommender.Transform(table.DataView()).GetColumn<float>("Score").ToArray();
        for (int r = 0; r < table.Count; r += 7)
            Assert.AreEqual(model.Score(model.Users.IndexOf(table.Users.Int64Values[r]), model.Items.IndexOf(table.Items.Int64Values[r])), scored[r], 1e-5, $"row {r}");

        using var engine = ml.Adversarial().CreatePredictionEngine<Pair, Scored>(recommender);
        long textOnly = HybridFixtures.ItemId(62);
        Assert.AreEqual(model.Score(model.Users.IndexOf(1000L), model.Items.IndexOf(textOnly)), engine.Predict(new Pair { UserId = 1000, ItemId = textOnly }).Score, 1e-5);
        Assert.AreEqual(model.Score(-1, -1), engine.Predict(new Pair { UserId = 1, ItemId = 1 }).Score, 1e-5, "unknown ids get the fallback rows");

        // A text-only item of the user's topic outranks one of another topic (user 1000 likes topic 0; 60 and 62 are topics 0 and 2).
        Assert.IsGreaterThan(model.Score(model.Users.IndexOf(1000L), model.Items.IndexOf(HybridFixtures.ItemId(62))),
            model.Score(model.Users.IndexOf(1000L), model.Items.IndexOf(HybridFixtures.ItemId(60))));
    }
}
