using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;
using MLNet.Adversarial.Data;
using MLNet.Adversarial.Models;
using MLNet.Adversarial.Tests.Hybrid;
using Onnx;
using MLNet.Adversarial.Onnx;
using static MLNet.Adversarial.Tests.Onnx.OnnxTestModels;

namespace MLNet.Adversarial.Tests.Onnx;

/// <summary>
/// The declared shapes of every exported graph (docs/onnx.md): id inputs <c>[N]</c> by default (<c>[N,1]</c> for ML.NET),
/// outputs <c>[N]</c> or <c>[N,K]</c>, the purchase vectors <c>[N, items]</c>; each graph loads and runs in ONNX Runtime
/// with the declared shape, and in ML.NET's <c>ApplyOnnxModel</c> with the column declaration; and each becomes a
/// Triton model whose config.pbtxt matches the file.
/// </summary>
[TestClass]
public sealed class ExportedShapesTests
{
    private const int K = 4;
    private string _root = null!;

    [TestInitialize]
    public void Init() => Directory.CreateDirectory(_root = Path.Combine(Path.GetTempPath(), "mlnet-adv-shapes-" + Guid.NewGuid().ToString("N")));

    [TestCleanup]
    public void Cleanup() => Directory.Delete(_root, recursive: true);

    public static IEnumerable<object[]> Families() => [["factorisation"], ["hybrid"], ["cfgan"]];

    private static IRecommenderModel Model(string family) => family switch
    {
        "factorisation" => RandomModel(IdKind.Int64),
        "hybrid" => HybridOnnxTests.RandomHybrid(IdKind.Int64, userText: true),
        _ => CfganOnnxExportTests.RandomCfgan(IdKind.Int64, sigmoidOutput: true),
    };

    /// <summary>The scorer and top-K exports (and CFGAN's purchase-vector graph) with the given id declaration.</summary>
    private static (string Name, byte[] Onnx)[] Graphs(IRecommenderModel model, OnnxIdInputShape shape)
    {
        var options = new TopKExportOptions { ModelKind = "test", K = K, IdInputShape = shape };
        var graphs = new List<(string, byte[])> { ("scorer", model.ExportPairwiseScorer(options)), ("topk", model.ExportTopK(options)) };
        if (model is CfganModel cfgan) graphs.Add(("purchase-vector", cfgan.ExportPurchaseVectorScorer(options)));
        return [.. graphs];
    }

    private static string Shape(ValueInfoProto v) =>
        "[" + string.Join(",", v.Type.TensorType.Shape.Dim.Select(d => string.IsNullOrEmpty(d.DimParam) ? d.DimValue.ToString() : d.DimParam)) + "]";

    [TestMethod]
    [DynamicData(nameof(Families))]
    public void EveryGraphDeclaresItsBatchDimension(string family)
    {
        var model = Model(family);
        string items = model.Items.Count.ToString();
        var expected = new Dictionary<string, string>
        {
            ["user"] = "[N]", ["item"] = "[N]", ["score"] = "[N]", ["item_ids"] = $"[N,{K}]", ["scores"] = $"[N,{K}]",
            ["purchases"] = $"[N,{items}]", ["item_scores"] = $"[N,{items}]", ["catalog_item_ids"] = $"[{items}]",
        };
        foreach (var (name, onnx) in Graphs(model, OnnxIdInputShape.Batch))
        {
            var graph = ModelProto.Parser.ParseFrom(onnx).Graph;
            foreach (var value in graph.Input.Concat(graph.Output))
                Assert.AreEqual(expected[value.Name], Shape(value), $"{family} {name}: {value.Name}");
            Assert.AreEqual(OnnxContract.BatchIdInputs, OnnxModelFile.Validate(onnx, name)[OnnxMetadataKeys.IdInputShape]);
        }
        foreach (var (name, onnx) in Graphs(model, OnnxIdInputShape.Column).Where(g => g.Name != "purchase-vector"))
            foreach (var value in ModelProto.Parser.ParseFrom(onnx).Graph.Input)
                Assert.AreEqual("[N,1]", Shape(value), $"{family} {name} for ML.NET: {value.Name}");
    }

    [TestMethod]
    [DynamicData(nameof(Families))]
    public void OnnxRuntimeReportsAndAcceptsTheDeclaredShapes(string family)
    {
        var model = Model(family);
        long[] users = [model.Users.Int64Ids[0], model.Users.Int64Ids[1], UnknownInt64[0]];
        foreach (var (name, onnx) in Graphs(model, OnnxIdInputShape.Batch))
        {
            using var session = Session(onnx);
            foreach (var (input, meta) in session.InputMetadata)
                Assert.AreEqual(-1, meta.Dimensions[0], $"{family} {name}: {input} has a dynamic batch dimension");
            var feeds = session.InputMetadata.Keys.Select(input => input == OnnxContract.PurchasesInput
                ? NamedOnnxValue.CreateFromTensor(input, new DenseTensor<float>(new float[users.Length * model.Items.Count], [users.Length, model.Items.Count]))
                : NamedOnnxValue.CreateFromTensor(input, new DenseTensor<long>(input == OnnxContract.UserInput ? users : [.. model.Items.Int64Ids[..3]], [users.Length]))).ToList();
            using var results = session.Run(feeds);
            foreach (var result in results.Where(r => r.Name != OnnxContract.CatalogOutput))
            {
                var dims = result.Name == OnnxContract.ItemIdsOutput ? result.AsTensor<long>().Dimensions : result.AsTensor<float>().Dimensions;
                Assert.AreEqual(users.Length, dims[0], $"{family} {name}: {result.Name} rows");
            }
        }
    }

    private sealed class UserRow
    {
        [ColumnName(OnnxContract.UserInput)] public long User { get; set; }
        [ColumnName(OnnxContract.ItemInput)] public long Item { get; set; }
    }

    private sealed class TopKRow
    {
        [ColumnName(OnnxContract.UserInput)] public long User { get; set; }
    }

    [TestMethod]
    [DynamicData(nameof(Families))]
    public void MlNetLoadsTheColumnDeclaredGraphs(string family)
    {
        var model = Model(family);
        var ml = new MLContext(seed: 1);
        foreach (var (name, onnx) in Graphs(model, OnnxIdInputShape.Column).Where(g => g.Name != "purchase-vector"))
        {
            var path = Path.Combine(_root, name + ".onnx");
            File.WriteAllBytes(path, onnx);
            IDataView data = name == "scorer"
                ? ml.Data.LoadFromEnumerable([new UserRow { User = model.Users.Int64Ids[2], Item = model.Items.Int64Ids[3] }])
                : ml.Data.LoadFromEnumerable([new TopKRow { User = model.Users.Int64Ids[2] }]);
            string output = name == "scorer" ? OnnxContract.ScoreOutput : OnnxContract.ScoresOutput;
            using var transformer = ml.Transforms.ApplyOnnxModel([output], [.. data.Schema.Select(c => c.Name)], path).Fit(data);
            var values = transformer.Transform(data).GetColumn<float[]>(output).Single();
            var all = new float[model.Items.Count];
            model.ScoreAllItems(2, all);
            float expected = name == "scorer" ? all[3] : all.Max();
            Assert.AreEqual(expected, values[0], 1e-5f, $"{family} {name} through ML.NET");
        }
    }

    [TestMethod]
    [DynamicData(nameof(Families))]
    public void TritonConfigurationsMatchTheOnnxFiles(string family)
    {
        var model = Model(family);
        foreach (var (name, onnx) in Graphs(model, OnnxIdInputShape.Batch))
        {
            if (name == "purchase-vector")
            {
                // Its catalogue output has no batch dimension: refused with a message, not written half-way.
                var e = Assert.ThrowsExactly<InvalidDataException>(() => TritonModelRepository.WriteModel(_root, name, onnx));
                StringAssert.Contains(e.Message, OnnxContract.CatalogOutput);
                Assert.IsFalse(Directory.Exists(Path.Combine(_root, name)));
                continue;
            }
            var folder = TritonModelRepository.WriteModel(_root, name, onnx);
            CollectionAssert.AreEqual(onnx, File.ReadAllBytes(Path.Combine(folder, "1", "model.onnx")));
            TritonConfigFile.AssertMatchesOnnx(folder, name);
        }
        var shapeless = model.ExportTopK(new TopKExportOptions { ModelKind = "test", K = K, IdInputShape = OnnxIdInputShape.AnyRank });
        StringAssert.Contains(Assert.ThrowsExactly<InvalidDataException>(() => TritonModelRepository.ModelConfig("topk", shapeless)).Message, "batch dimension");
    }
}
