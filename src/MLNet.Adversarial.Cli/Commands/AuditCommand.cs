using System.CommandLine;
using MLNet.Adversarial.Onnx;

namespace MLNet.Adversarial.Cli.Commands;

/// <summary><c>audit</c>: how well post-hoc attackers read a sensitive attribute from a shipped model's user vectors.</summary>
internal static class AuditCommand
{
    public static Command Create()
    {
        var model = new Option<string>("--model")
        {
            Description = "Folder written by 'train' (its scorer.onnx is read) or an exported .onnx file (scorer or top-K).",
            Required = true, HelpName = "DIR|FILE",
        };
        var privacy = new PrivacyFlags();
        privacy.Sensitive.Required = true;
        var seed = new Option<int>("--seed") { Description = "Seed of the folds and the attackers.", DefaultValueFactory = _ => 0 };
        var json = CliSupport.File("--json", "Also write the result to this JSON file.");
        var command = new Command("audit", "Train logistic-regression and MLP attackers (k-fold CV) on the user vectors inside an exported ONNX model " +
            "and print their ROC-AUC (binary attributes) and balanced accuracy for the sensitive attribute.")
        {
            model, privacy.Sensitive, privacy.Bands, privacy.Folds, seed, json,
        };
        command.SetHandler(c =>
        {
            var target = c.Get(model);
            string onnx = Directory.Exists(target) ? new ModelDirectory(target).ScorerOnnx : target;
            if (!File.Exists(onnx))
                throw new CliException(Directory.Exists(target)
                    ? $"--model: '{onnx}' is missing; is '{target}' a folder written by 'mlnet-adv train'?"
                    : $"--model: '{target}' is neither a folder nor an ONNX file.");
            var attributes = privacy.Load(c)!;
            var table = OnnxUserTable.Read(onnx);
            var result = privacy.Evaluator(c, c.Get(seed)).Evaluate(table, attributes);
            c.Out.WriteLine($"model: {onnx}: {table.Users.Count} user vectors of dimension {table.Dimension}");
            PrivacyFlags.WriteTable(c.Out, result);
            if (c.Get(json) is { } path) Reports.WriteJson(path, result);
            return 0;
        });
        return command;
    }
}
