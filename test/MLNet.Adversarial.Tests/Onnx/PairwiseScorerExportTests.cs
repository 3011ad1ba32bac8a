using Microsoft.ML.OnnxRuntime;
using MLNet.Adversarial.Data;
using MLNet.Adversarial.Onnx;
using static MLNet.Adversarial.Tests.Onnx.OnnxTestModels;

namespace MLNet.Adversarial.Tests.Onnx;

[TestClass]
public sealed class PairwiseScorerExportTests
{
    [TestMethod]
    [DataRow(IdKind.Int64, OnnxIdInputShape.Batch, false)]
    [DataRow(IdKind.String, OnnxIdInputShape.Batch, false)]
    [DataRow(IdKind.Int64, OnnxIdInputShape.AnyRank, false)]
    [DataRow(IdKind.Int64, OnnxIdInputShape.AnyRank, true)]
    [DataRow(IdKind.Int64, OnnxIdInputShape.Column, true)]
    [DataRow(IdKind.String, OnnxIdInputShape.AnyRank, false)]
    [DataRow(IdKind.String, OnnxIdInputShape.AnyRank, true)]
    [DataRow(IdKind.String, OnnxIdInputShape.Column, true)]
    public void OnnxScoresEqualTheModelForKnownAndUnknownIds(IdKind kind, OnnxIdInputShape declared, bool columnShaped)
    {
        var model = RandomModel(kind);
        using var session = Session(FactorizationOnnxExporter.ExportPairwiseScorer(model, Options() with { IdInputShape = declared }));

        // Every (user, item) pair over known ids plus a few unknown ones on each side.
        var (userInts, userStrings) = KnownAndUnknownIds(model.Users);
        var (itemInts, itemStrings) = KnownAndUnknownIds(model.Items);
        int nu = userInts?.Length ?? userStrings!.Length, ni = itemInts?.Length ?? itemStrings!.Length;
        var rows = Enumerable.Range(0, nu * ni).ToArray();
        T[]? Pick<T>(T[]? source, Func<int, int> index) => source is null ? null : rows.Select(r => source[index(r)]).ToArray();
        long[]? ui = Pick(userInts, r => r / ni), ii = Pick(itemInts, r => r % ni);
        string[]? us = Pick(userStrings, r => r / ni), @is = Pick(itemStrings, r => r % ni);

        using var results = session.Run([
            IdInput(OnnxContract.UserInput, ui, us, columnShaped),
            IdInput(OnnxContract.ItemInput, ii, @is, columnShaped)]);
        var score = results.Single().AsTensor<float>();
        CollectionAssert.AreEqual(new[] { rows.Length }, score.Dimensions.ToArray());
        int unknownPairs = 0;
        foreach (var r in rows)
        {
            int u = IndexOf(model.Users, ui, us, r), i = IndexOf(model.Items, ii, @is, r);
            if (u < 0 || i < 0) unknownPairs++;
            Assert.AreEqual(model.Score(u, i), score[r], 1e-5, $"row {r} (user index {u}, item index {i})");
        }
        Assert.IsGreaterThan(0, unknownPairs);
    }

    [TestMethod]
    public void ColumnDeclaredInputsRejectFlatIds()
    {
        var model = RandomModel(IdKind.Int64);
        using var session = Session(FactorizationOnnxExporter.ExportPairwiseScorer(model, Options() with { IdInputShape = OnnxIdInputShape.Column }));
        var ids = model.Users.Int64Ids[..2].ToArray();
        var e = Assert.ThrowsExactly<OnnxRuntimeException>(() => session.Run([IdInput(OnnxContract.UserInput, ids, null, false), IdInput(OnnxContract.ItemInput, ids, null, false)]));
        StringAssert.Contains(e.Message, "rank");
    }

    [TestMethod]
    public void ExportIsDeterministic()
    {
        var model = RandomModel(IdKind.String);
        var options = Options(RandomTraining(model));
        var first = FactorizationOnnxExporter.ExportPairwiseScorer(model, options);
        var second = FactorizationOnnxExporter.ExportPairwiseScorer(RandomModel(IdKind.String), options with { });
        CollectionAssert.AreEqual(first, second);
    }

    [TestMethod]
    public void MetadataDescribesTheModel()
    {
        var model = RandomModel(IdKind.Int64);
        var training = RandomTraining(model);
        var metadata = OnnxModelFile.Validate(FactorizationOnnxExporter.ExportPairwiseScorer(model, Options(training)), "scorer.onnx");

        Assert.AreEqual(OnnxMetadataKeys.PairwiseScorerContract, metadata[OnnxMetadataKeys.Contract]);
        Assert.AreEqual("bpr-mf", metadata[OnnxMetadataKeys.ModelKind]);
        Assert.AreEqual(Users.ToString(), metadata[OnnxMetadataKeys.UserCount]);
        Assert.AreEqual(Items.ToString(), metadata[OnnxMetadataKeys.ItemCount]);
        Assert.AreEqual(Dimension.ToString(), metadata[OnnxMetadataKeys.Dimension]);
        Assert.AreEqual(OnnxContract.Int64IdType, metadata[OnnxMetadataKeys.UserIdType]);
        Assert.AreEqual(OnnxContract.BatchIdInputs, metadata[OnnxMetadataKeys.IdInputShape]);
        Assert.AreEqual(training.ComputeHash(), metadata[OnnxMetadataKeys.TrainingDataHash]);
        Assert.AreEqual("0.05", metadata["hparam.lr"]);
        Assert.AreEqual("20", metadata["hparam.epochs"]);
        StringAssert.StartsWith(metadata[OnnxMetadataKeys.LibraryVersion], "0.1.0");

        // ONNX Runtime sees the same entries.
        using var session = Session(FactorizationOnnxExporter.ExportPairwiseScorer(model, Options(training)));
        Assert.AreEqual("bpr-mf", session.ModelMetadata.CustomMetadataMap[OnnxMetadataKeys.ModelKind]);
    }

    [TestMethod]
    public void TrainingDataOverOtherVocabulariesIsRejected()
    {
        var model = RandomModel(IdKind.Int64);
        var other = RandomTraining(RandomModel(IdKind.Int64, users: Users + 1));
        Assert.ThrowsExactly<ArgumentException>(() => FactorizationOnnxExporter.ExportPairwiseScorer(model, Options(other)));
    }
}
