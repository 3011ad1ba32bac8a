using System.Text.RegularExpressions;
using Onnx;

namespace MLNet.Adversarial.Tests.Onnx;

/// <summary>
/// Reads a Triton <c>config.pbtxt</c> as the tests need it (one tensor entry per <c>{ ... }</c> of the input and output
/// lists) and checks it against the ONNX file beside it, read with OnnxSharp's <see cref="ModelProto"/>.
/// </summary>
internal static partial class TritonConfigFile
{
    public sealed record Tensor(string Name, string DataType, long[] Dims, long[]? Reshape);

    public static (string Text, Tensor[] Inputs, Tensor[] Outputs) Read(string path)
    {
        var text = File.ReadAllText(path);
        return (text, Section(text, "input"), Section(text, "output"));
    }

    private static Tensor[] Section(string text, string name)
    {
        var body = Regex.Match(text, $@"^{name} \[(.*?)^\]", RegexOptions.Multiline | RegexOptions.Singleline);
        Assert.IsTrue(body.Success, $"config.pbtxt has no '{name} [ ... ]' list");
        return [.. Regex.Matches(body.Groups[1].Value, @"\{\s*(name:.*?)\n\s*\}", RegexOptions.Singleline).Select(m => Entry(m.Groups[1].Value))];
    }

    private static Tensor Entry(string entry)
    {
        static long[] Numbers(string list) => [.. list.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(long.Parse)];
        var reshape = Regex.Match(entry, @"reshape: \{ shape: \[(.*?)\] \}");
        return new Tensor(Regex.Match(entry, "name: \"(.*?)\"").Groups[1].Value, Regex.Match(entry, @"data_type: (\w+)").Groups[1].Value,
            Numbers(Regex.Match(entry, @"dims: \[(.*?)\]").Groups[1].Value), reshape.Success ? Numbers(reshape.Groups[1].Value) : null);
    }

    /// <summary>The Triton data type the test expects for an ONNX element type.</summary>
    private static string Expected(int elementType) => (TensorProto.Types.DataType)elementType switch
    {
        TensorProto.Types.DataType.Int64 => "TYPE_INT64",
        TensorProto.Types.DataType.String => "TYPE_STRING",
        TensorProto.Types.DataType.Float => "TYPE_FP32",
        var t => throw new AssertFailedException($"unexpected ONNX type {t}"),
    };

    /// <summary>Asserts that the model folder's config.pbtxt lists exactly the inputs and outputs of its 1/model.onnx.</summary>
    public static void AssertMatchesOnnx(string modelFolder, string name)
    {
        var (text, inputs, outputs) = Read(Path.Combine(modelFolder, "config.pbtxt"));
        var graph = ModelProto.Parser.ParseFrom(File.ReadAllBytes(Path.Combine(modelFolder, "1", "model.onnx"))).Graph;
        StringAssert.Contains(text, $"name: \"{name}\"");
        StringAssert.Contains(text, "platform: \"onnxruntime_onnx\"");
        StringAssert.Matches(text, new Regex(@"max_batch_size: [1-9]\d*"));
        StringAssert.Contains(text, "dynamic_batching {");
        var initializers = graph.Initializer.Select(t => t.Name).ToHashSet();
        Compare(graph.Input.Where(i => !initializers.Contains(i.Name)).ToArray(), inputs, "input");
        Compare([.. graph.Output], outputs, "output");
    }

    private static void Compare(ValueInfoProto[] onnx, Tensor[] config, string side)
    {
        CollectionAssert.AreEqual(onnx.Select(v => v.Name).ToArray(), config.Select(c => c.Name).ToArray(), $"{side} names");
        foreach (var (value, tensor) in onnx.Zip(config))
        {
            var type = value.Type.TensorType;
            Assert.AreEqual(Expected(type.ElemType), tensor.DataType, $"{side} {value.Name}: data type");
            var dims = type.Shape.Dim;
            Assert.IsFalse(string.IsNullOrEmpty(dims[0].DimParam), $"{side} {value.Name}: the ONNX file's first dimension is the symbolic batch");
            // Triton's shape with the batch: [-1] + dims, or [-1] + reshape when a batch of scalars is declared [1] and reshaped.
            long[] onnxShape = [-1, .. dims.Skip(1).Select(d => string.IsNullOrEmpty(d.DimParam) ? d.DimValue : -1)];
            long[] tritonShape = [-1, .. tensor.Reshape ?? tensor.Dims];
            CollectionAssert.AreEqual(onnxShape, tritonShape, $"{side} {value.Name}: dims");
            if (tensor.Reshape is not null) CollectionAssert.AreEqual(new long[] { 1 }, tensor.Dims, $"{side} {value.Name}: a reshaped scalar is declared [1]");
        }
    }
}
