using System.CommandLine;
using MLNet.Adversarial.Data;
using MLNet.Adversarial.Models;
using MLNet.Adversarial.Onnx;

namespace MLNet.Adversarial.Cli.Commands;

/// <summary>
/// <c>export</c>: re-export ONNX (pairwise scorer, or top-K with --topk) from a trained model folder; with
/// <c>--triton DIR</c>, a Triton Inference Server model repository holding both graphs.
/// </summary>
internal static class ExportCommand
{
    /// <summary>The model names of the Triton repository (its folders).</summary>
    public const string TritonScorer = "scorer", TritonTopK = "topk";

    public static Command Create()
    {
        var model = CliSupport.ModelDirectory();
        var output = CliSupport.File("--out", "ONNX file to write.");
        var triton = new Option<string?>("--triton")
        {
            Description = $"Write a Triton Inference Server model repository instead (ONNX Runtime backend, dynamic batching): DIR/{TritonScorer} and DIR/{TritonTopK}, each config.pbtxt + 1/model.onnx.",
            HelpName = "DIR",
        };
        var topK = new Option<int?>("--topk") { Description = "Export the top-K recommender with this K (default: the pairwise scorer; with --triton, the K of the folder's topk.onnx).", HelpName = "K" };
        var noExclude = new Option<bool>("--no-exclude") { Description = "Top-K: do not leave out the users' training items." };
        var command = new Command("export", "Re-export ONNX from a model folder written by 'train'.") { model, output, triton, topK, noExclude };
        command.SetHandler(c =>
        {
            var path = c.Get(output);
            var repository = c.Get(triton);
            if ((path is null) == (repository is null)) throw new CliException("export: give exactly one of --out FILE and --triton DIR.");
            if (c.Get(topK) is <= 0) throw new CliException("--topk must be positive.");
            var dir = new ModelDirectory(c.Get(model));
            var recommender = dir.LoadModel();
            var (kind, hyper) = dir.ReadExportMetadata();
            var scorerOptions = new OnnxExportOptions { ModelKind = kind, HyperParameters = hyper };
            if (repository is not null)
            {
                int k = c.Get(topK) ?? (File.Exists(dir.TopKOnnx) ? ModelDirectory.ReadK(OnnxModelFile.Validate(dir.TopKOnnx), dir.TopKOnnx) : 10);
                var graphs = new[] { (TritonScorer, recommender.ExportPairwiseScorer(scorerOptions)), (TritonTopK, TopK(dir, recommender, kind, hyper, k, !c.Get(noExclude))) };
                foreach (var (name, bytes) in graphs)
                    c.Out.WriteLine($"wrote {TritonModelRepository.WriteModel(repository, name, bytes)} (config.pbtxt, 1/model.onnx, {bytes.Length / 1024.0:F0} KiB)");
                return 0;
            }
            byte[] onnx;
            if (c.Get(topK) is { } topKSize) onnx = TopK(dir, recommender, kind, hyper, topKSize, !c.Get(noExclude));
            else
            {
                if (c.Get(noExclude)) throw new CliException("--no-exclude applies to the top-K export only; add --topk K.");
                onnx = recommender.ExportPairwiseScorer(scorerOptions);
            }
            AtomicFile.WriteAllBytes(path!, onnx);
            OnnxModelFile.Validate(path!);
            c.Out.WriteLine($"wrote {path} ({onnx.Length / 1024.0:F0} KiB, {(c.Get(topK) is { } kk ? $"top-{Math.Min(kk, recommender.Items.Count)}" : "pairwise scorer")})");
            return 0;
        });
        return command;
    }

    private static byte[] TopK(ModelDirectory dir, IRecommenderModel recommender, string kind, IReadOnlyDictionary<string, string> hyper, int k, bool exclude) =>
        recommender.ExportTopK(new TopKExportOptions
        {
            ModelKind = kind, HyperParameters = hyper, K = k, ExcludeTrainingItems = exclude,
            TrainingData = exclude ? dir.LoadTrainingPositives(recommender) : null,
        });
}
