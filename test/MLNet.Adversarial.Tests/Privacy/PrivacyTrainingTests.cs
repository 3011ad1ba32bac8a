using Microsoft.ML;
using MLNet.Adversarial.Data;
using MLNet.Adversarial.Evaluation;
using MLNet.Adversarial.Onnx;
using MLNet.Adversarial.Tests.Trainers;
using MLNet.Adversarial.Trainers;
using Onnx;

namespace MLNet.Adversarial.Tests.Privacy;

[TestClass]
public sealed class PrivacyTrainingTests
{
    /// <summary>The fixture's users (1000..1059) with a class that is 1 for every third user.</summary>
    private static SensitiveAttributes EveryThird() => new(Enumerable.Range(0, 60).Select(u =>
        new KeyValuePair<string, string>((1000 + u).ToString(System.Globalization.CultureInfo.InvariantCulture), u % 3 == 0 ? "x" : "y")), "fixture");

    private static AprTrainer.Options Options(double? weight, PrivacyObjective objective = PrivacyObjective.Confusion)
    {
        var o = TrainingFixtures.FastOptions(epochs: 4);
        if (weight is { } w) o.Privacy = new PrivacyOptions { SensitiveAttributes = EveryThird(), PrivacyWeight = w, Objective = objective, AdversaryHiddenSize = 0 };
        return o;
    }

    [TestMethod]
    public void ZeroWeightTrainsExactlyTheUnprotectedModelAndAPositiveWeightChangesTheUsersOnly()
    {
        var ml = new MLContext(seed: 1);
        var data = TrainingFixtures.Interactions().DataView();
        using var plain = ml.Adversarial().Trainers.Bpr(Options(null)).Fit(data);
        using var zero = ml.Adversarial().Trainers.Bpr(Options(0)).Fit(data);
        CollectionAssert.AreEqual(plain.Factorization().UserFactors, zero.Factorization().UserFactors, "the adversary has its own random stream");
        CollectionAssert.AreEqual(plain.Factorization().ItemFactors, zero.Factorization().ItemFactors);

        foreach (var objective in Enum.GetValues<PrivacyObjective>())
            foreach (var decoupled in new[] { false, true })
            {
                var options = Options(5, objective);
                options.Privacy!.DecoupledStep = decoupled;
                options.Privacy.AdversaryHiddenSize = decoupled ? 4 : 0;
                using var protectedModel = ml.Adversarial().Trainers.Bpr(options).Fit(data);
                CollectionAssert.AreNotEqual(plain.Factorization().UserFactors, protectedModel.Factorization().UserFactors, $"{objective}, decoupled {decoupled}");
                Assert.AreEqual(plain.Factorization().ItemFactors.Length, protectedModel.Factorization().ItemFactors.Length);
                Assert.IsTrue(protectedModel.Training.History.All(h => h.AdversaryLoss is > 0), "the adversary's loss is reported");
            }
    }

    [TestMethod]
    public void TheAdversaryNeverReachesTheExportsWhoseUserTableIsTheProtectedOne()
    {
        var ml = new MLContext(seed: 1);
        using var model = ml.Adversarial().Trainers.Apr(Options(3)).Fit(TrainingFixtures.Interactions().DataView());

        foreach (var bytes in new[] { model.ScorerOnnx, model.TopKOnnx })
        {
            var proto = ModelProto.Parser.ParseFrom(bytes);
            CollectionAssert.IsSubsetOf(proto.Graph.Initializer.Select(t => t.Name).ToArray(),
                new[] { OnnxContract.UserFactorsInitializer, OnnxContract.ItemFactorsInitializer, OnnxContract.ItemBiasInitializer, "axis_1", "flat_shape", "k", "trained_offsets", "trained_columns", "csr_zero", "csr_one",
                    "csr_axes_0", "csr_axes_1", "minus_inf", "item_id_table" });
            Assert.IsFalse(proto.Graph.Initializer.Any(t => t.Dims.Count == 2 && t.Dims[1] != model.Factorization().Dimension),
                "no adversary weight matrix");
            var table = OnnxUserTable.Read(bytes);
            Assert.AreEqual(model.Model.Users, table.Users);
            CollectionAssert.AreEqual(model.Factorization().UserFactors, table.Factors, "the exported user table is the trained (protected) one, fallback row dropped");
        }
        var metadata = OnnxModelFile.Validate(model.ScorerOnnx);
        Assert.AreEqual("3", metadata["hparam.privacy_weight"]);
        Assert.AreEqual("fixture", metadata["hparam.privacy_attribute"]);
    }

    [TestMethod]
    public void UserTableReadsTextIdsAndRejectsOtherFiles()
    {
        var users = IdVocabulary.FromStrings(["bob", "alice", "carol"]);
        var items = IdVocabulary.FromInt64([7, 8]);
        var model = new Adversarial.Models.FactorizationModel(users, items, 2, [1, 2, 3, 4, 5, 6], [1, 0, 0, 1], [0, 0]);
        var table = OnnxUserTable.Read(FactorizationOnnxExporter.ExportPairwiseScorer(model, new OnnxExportOptions { ModelKind = "t" }));
        Assert.AreEqual(users, table.Users);
        CollectionAssert.AreEqual(model.UserFactors, table.Factors);
        Assert.ThrowsExactly<InvalidDataException>(() => OnnxUserTable.Read([1, 2, 3]));
    }

    [TestMethod]
    public void OptionsAreValidatedAndUnmatchedIdsFail()
    {
        var o = Options(1);
        o.Privacy!.AdversarySteps = 0;
        var e = Assert.ThrowsExactly<ArgumentOutOfRangeException>(o.Validate);
        Assert.AreEqual(nameof(PrivacyOptions.AdversarySteps), e.ParamName);
        Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => new PrivacyOptions().Validate(), "no attribute");

        var other = Options(1);
        other.Privacy!.SensitiveAttributes = new SensitiveAttributes([new("1", "a"), new("2", "b")]);
        var fail = Assert.ThrowsExactly<ArgumentException>(() =>
            new MLContext(1).Adversarial().Trainers.Bpr(other).Fit(TrainingFixtures.Interactions().DataView()));
        StringAssert.Contains(fail.Message, "No training user");
    }

    [TestMethod]
    public void EvaluatorAuditsTheModelAndItsOnnxExportAlike()
    {
        var ml = new MLContext(seed: 1);
        using var model = ml.Adversarial().Trainers.Bpr(Options(null)).Fit(TrainingFixtures.Interactions().DataView());
        var evaluator = new PrivacyEvaluator(new PrivacyEvaluator.Options { Iterations = 50, MlpHiddenSize = 8 });
        var fromModel = evaluator.Evaluate(model.Factorization(), EveryThird());
        var fromOnnx = evaluator.Evaluate(OnnxUserTable.Read(model.ScorerOnnx), EveryThird());
        CollectionAssert.AreEqual(fromModel.Attackers.ToArray(), fromOnnx.Attackers.ToArray());
    }
}
