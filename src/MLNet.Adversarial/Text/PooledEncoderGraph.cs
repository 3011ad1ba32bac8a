using Google.Protobuf;
using MLNet.Adversarial.Onnx;
using Onnx;
using DataType = Onnx.TensorProto.Types.DataType;

namespace MLNet.Adversarial.Text;

/// <summary>
/// Turns a BERT-family encoder (<c>input_ids</c>, <c>attention_mask</c>[, <c>token_type_ids</c>] →
/// <c>[batch, tokens, hidden]</c>) into a sentence-embedding graph that ML.NET's <c>ApplyOnnxModel</c> can run:
/// inputs <see cref="TokenIds"/> and <see cref="TokenMask"/> of fixed shape <c>[1, L]</c> (ML.NET cannot feed
/// variable-length vectors), output <see cref="Embedding"/> <c>[1, hidden]</c>: mean pooling over the mask, then
/// L2 normalisation — what <see cref="TextEncoder"/> computes in C#.
/// </summary>
/// <remarks>
/// The padding is cut off inside the graph (<c>Slice</c> to the mask's token count) before the encoder runs, so a
/// short text costs what it would cost unpadded; the masked tokens could not change the result anyway.
/// </remarks>
internal static class PooledEncoderGraph
{
    /// <summary>Token ids, int64 <c>[1, L]</c>, padded with zeros.</summary>
    public const string TokenIds = "__mlnet_adv_token_ids";

    /// <summary>1 for each real token, 0 for padding, int64 <c>[1, L]</c>; the real tokens come first.</summary>
    public const string TokenMask = "__mlnet_adv_token_mask";

    /// <summary>The L2-normalised mean of the encoder's token states, float <c>[1, hidden]</c>.</summary>
    public const string Embedding = "__mlnet_adv_embedding";

    private const string Prefix = "mlnet_adv_";

    /// <summary>Wraps <paramref name="encoder"/>, whose hidden size is <paramref name="hidden"/> and whose token output is <paramref name="hiddenStates"/>.</summary>
    public static byte[] Wrap(byte[] encoder, int maxLength, int hidden, string hiddenStates)
    {
        var model = ModelProto.Parser.ParseFrom(encoder);
        long opset = model.OpsetImport.Where(o => o.Domain is "" or "ai.onnx").Select(o => o.Version).DefaultIfEmpty(0).Max();
        if (opset < 11) throw new InvalidDataException($"The encoder uses opset {opset}; wrapping it for ML.NET needs opset 11 or later.");
        var graph = model.Graph;
        var encoderInputs = graph.Input.Select(i => i.Name).Where(n => !graph.Initializer.Any(t => t.Name == n)).ToHashSet();
        int encoderNodes = graph.Node.Count;

        var g = new OnnxGraphBuilder(graph, Prefix);
        foreach (var name in encoderInputs)
        {
            var input = graph.Input.First(i => i.Name == name);
            graph.Input.Remove(input);
        }
        g.Input(TokenIds, DataType.Int64, [1L, (long)maxLength]);
        g.Input(TokenMask, DataType.Int64, [1L, (long)maxLength]);

        // Cut the padding: keep the first n = Σ mask tokens.
        g.Initializer(Prefix + "zero", [0L], 1);
        g.Initializer(Prefix + "axis1", [1L], 1);
        var count = ReduceSum(g, opset, TokenMask, axis: 1, keepDims: false, Prefix + "count");
        var ids = g.Node("Slice", [TokenIds, Prefix + "zero", count, Prefix + "axis1"], Prefix + "ids");
        var mask = g.Node("Slice", [TokenMask, Prefix + "zero", count, Prefix + "axis1"], Prefix + "mask");
        g.Node("Identity", [ids], "input_ids");
        g.Node("Identity", [mask], "attention_mask");
        if (encoderInputs.Contains("token_type_ids")) g.Node("Sub", [ids, ids], "token_type_ids");
        var unknown = encoderInputs.Where(n => n is not ("input_ids" or "attention_mask" or "token_type_ids")).ToArray();
        if (unknown.Length > 0) throw new InvalidDataException($"The encoder takes inputs the wrapper does not fill: {string.Join(", ", unknown)}.");

        // The new nodes feed the encoder, so they go first (ONNX wants nodes in topological order).
        var prefixNodes = graph.Node.Skip(encoderNodes).ToArray();
        for (int i = 0; i < prefixNodes.Length; i++)
        {
            graph.Node.Remove(prefixNodes[i]);
            graph.Node.Insert(i, prefixNodes[i]);
        }

        // Mean over the real tokens, then L2 normalisation.
        var maskFloat = g.Node("Cast", [mask], Prefix + "mask_float", OnnxGraphBuilder.Attr("to", (long)DataType.Float));
        var maskColumn = Unsqueeze(g, opset, maskFloat, axis: 2, Prefix + "mask_column");
        var masked = g.Node("Mul", [hiddenStates, maskColumn], Prefix + "masked");
        var summed = ReduceSum(g, opset, masked, axis: 1, keepDims: false, Prefix + "summed");
        var tokens = ReduceSum(g, opset, maskFloat, axis: 1, keepDims: true, Prefix + "tokens");
        var mean = g.Node("Div", [summed, tokens], Prefix + "mean");
        g.Node("LpNormalization", [mean], Embedding, OnnxGraphBuilder.Attr("axis", -1L), OnnxGraphBuilder.Attr("p", 2L));

        graph.Output.Clear();
        g.Output(Embedding, DataType.Float, [1L, (long)hidden]);
        return model.ToByteArray();
    }

    // ReduceSum and Unsqueeze took their axes as an attribute before opset 13 and as an input since.
    private static string ReduceSum(OnnxGraphBuilder g, long opset, string input, long axis, bool keepDims, string output)
    {
        var keep = OnnxGraphBuilder.Attr("keepdims", keepDims ? 1L : 0L);
        if (opset < 13) return g.Node("ReduceSum", [input], output, keep, OnnxGraphBuilder.Attr("axes", [axis]));
        var axes = Prefix + $"axes_{axis}";
        if (!g.HasInitializer(axes)) g.Initializer(axes, [axis], 1);
        return g.Node("ReduceSum", [input, axes], output, keep);
    }

    private static string Unsqueeze(OnnxGraphBuilder g, long opset, string input, long axis, string output)
    {
        if (opset < 13) return g.Node("Unsqueeze", [input], output, OnnxGraphBuilder.Attr("axes", [axis]));
        var axes = Prefix + $"axes_{axis}";
        if (!g.HasInitializer(axes)) g.Initializer(axes, [axis], 1);
        return g.Node("Unsqueeze", [input, axes], output);
    }
}
