using Google.Protobuf;
using MLNet.Adversarial.Data;
using MLNet.Adversarial.Onnx;
using static MLNet.Adversarial.Tests.Onnx.OnnxTestModels;

namespace MLNet.Adversarial.Tests.Onnx;

[TestClass]
public sealed class OnnxModelFileTests
{
    [TestMethod]
    [DataRow(0.5)]
    [DataRow(0.9)]
    [DataRow(0.02)]
    public void ATruncatedFileIsReportedWithItsName(double keep)
    {
        var bytes = FactorizationOnnxExporter.ExportPairwiseScorer(RandomModel(IdKind.String), Options());
        var path = Path.Combine(Path.GetTempPath(), $"mlnet-adv-truncated-{Guid.NewGuid():N}.onnx");
        File.WriteAllBytes(path, bytes[..(int)(bytes.Length * keep)]);
        try
        {
            var e = Assert.ThrowsExactly<InvalidDataException>(() => OnnxModelFile.Validate(path));
            StringAssert.Contains(e.Message, path);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [TestMethod]
    public void EveryTruncationIsRejected()
    {
        var bytes = FactorizationOnnxExporter.ExportTopK(RandomModel(IdKind.Int64), new TopKExportOptions { ModelKind = "bpr-mf", K = 3 });
        for (int length = 0; length < bytes.Length; length++)
            Assert.ThrowsExactly<InvalidDataException>(() => OnnxModelFile.Validate(bytes[..length], "top-k.onnx"), $"cut at {length} of {bytes.Length}");
    }

    [TestMethod]
    public void ATruncationAtAnEntryBoundaryIsRejected()
    {
        // Dropping the last metadata entry gives a prefix of the file that still parses as ONNX.
        var bytes = FactorizationOnnxExporter.ExportPairwiseScorer(RandomModel(IdKind.Int64), Options());
        var model = global::Onnx.ModelProto.Parser.ParseFrom(bytes);
        model.MetadataProps.RemoveAt(model.MetadataProps.Count - 1);
        var cut = model.ToByteArray();
        CollectionAssert.AreEqual(bytes[..cut.Length], cut);
        var e = Assert.ThrowsExactly<InvalidDataException>(() => OnnxModelFile.Validate(cut, "scorer.onnx"));
        StringAssert.Contains(e.Message, "scorer.onnx");
    }

    [TestMethod]
    public void CorruptBytesAreReportedWithTheGivenName()
    {
        var bytes = FactorizationOnnxExporter.ExportTopK(RandomModel(IdKind.Int64), new TopKExportOptions { ModelKind = "bpr-mf", K = 3 });
        var rng = new Random(3);
        for (int i = 0; i < 64; i++) bytes[rng.Next(bytes.Length / 2)] ^= 0x5A;
        var e = Assert.ThrowsExactly<InvalidDataException>(() => OnnxModelFile.Validate(bytes, "top-k.onnx"));
        StringAssert.Contains(e.Message, "top-k.onnx");
    }

    [TestMethod]
    public void AnotherContractIsRejected()
    {
        var bytes = FactorizationOnnxExporter.ExportTopK(RandomModel(IdKind.Int64), new TopKExportOptions { ModelKind = "bpr-mf", K = 3 });
        Assert.AreEqual("3", OnnxModelFile.Validate(bytes, expectedContract: OnnxMetadataKeys.TopKContract)[OnnxMetadataKeys.K]);
        var e = Assert.ThrowsExactly<InvalidDataException>(() => OnnxModelFile.Validate(bytes, "top-k.onnx", OnnxMetadataKeys.PairwiseScorerContract));
        StringAssert.Contains(e.Message, "'top-k'");
    }

    [TestMethod]
    public void AValidModelPassesAndAMissingFileIsNotFound()
    {
        var bytes = FactorizationOnnxExporter.ExportPairwiseScorer(RandomModel(IdKind.Int64), Options());
        Assert.AreEqual(OnnxMetadataKeys.PairwiseScorerContract, OnnxModelFile.Validate(bytes)[OnnxMetadataKeys.Contract]);
        Assert.ThrowsExactly<FileNotFoundException>(() => OnnxModelFile.Validate("/nonexistent/model.onnx"));
    }
}
