using System.CommandLine;
using MLNet.Adversarial.Data;
using MLNet.Adversarial.Onnx;

namespace MLNet.Adversarial.Cli.Commands;

/// <summary><c>export</c>: re-export ONNX (pairwise scorer, or top-K with --topk) from a trained model folder.</summary>
internal static class ExportCommand
{
    public static Command Create()
    {
        var model = CliSupport.ModelDirectory();
        var output = CliSupport.File("--out", "ONNX file to write.", required: true);
        var topK = new Option<int?>("--topk") { Description = "Export the top-K recommender with this K (default: the pairwise scorer).", HelpName = "K" };
        var noExclude = new Option<bool>("--no-exclude") { Description = "Top-K: do not leave out the users' training items." };
        var command = new Command("export", "Re-export ONNX from a model folder written by 'train'.") { model, output, topK, noExclude };
        command.SetHandler(c =>
        {
            var dir = new ModelDirectory(c.Get(model));
            var recommender = dir.LoadModel();
            var (kind, hyper) = dir.ReadExportMetadata();
            byte[] bytes;
            if (c.Get(topK) is { } k)
            {
                if (k <= 0) throw new CliException("--topk must be positive.");
                bool exclude = !c.Get(noExclude);
                bytes = recommender.ExportTopK(new TopKExportOptions
                {
                    ModelKind = kind, HyperParameters = hyper, K = k, ExcludeTrainingItems = exclude,
                    TrainingData = exclude ? dir.LoadTrainingPositives(recommender) : null,
                });
            }
            else
            {
                if (c.Get(noExclude)) throw new CliException("--no-exclude applies to the top-K export only; add --topk K.");
                bytes = recommender.ExportPairwiseScorer(new OnnxExportOptions { ModelKind = kind, HyperParameters = hyper });
            }
            var path = c.Get(output)!;
            AtomicFile.WriteAllBytes(path, bytes);
            OnnxModelFile.Validate(path);
            c.Out.WriteLine($"wrote {path} ({bytes.Length / 1024.0:F0} KiB, {(c.Get(topK) is { } kk ? $"top-{Math.Min(kk, recommender.Items.Count)}" : "pairwise scorer")})");
            return 0;
        });
        return command;
    }
}
