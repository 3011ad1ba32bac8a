using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using Microsoft.ML;
using MLNet.Adversarial.Cli.Commands;
using MLNet.Adversarial.Cli;
using MLNet.Adversarial.Data;
using MLNet.Adversarial.Evaluation;
using MLNet.Adversarial.Trainers;

namespace MLNet.Adversarial.Research.Commands;

/// <summary>
/// <c>privacy-tradeoff</c>: for each seed, trains the unprotected model and one privacy-adversarial model per λ, and
/// prints (and writes as Markdown) the attackers' ROC-AUC and balanced accuracy next to P@5 and NDCG@10, mean ± sd over the seeds.
/// </summary>
internal static class PrivacyTradeoffCommand
{
    private sealed class Flags
    {
        public readonly ModelFlags Model = new("bpr");
        public readonly Option<string?> TrainFile = CliSupport.File("--train", "Training interactions.", required: true);
        public readonly Option<string?> TestFile = CliSupport.File("--test", "Test interactions.", required: true);
        public readonly Option<float?> MinRating = CliSupport.MinRating();
        public readonly Option<string> Weights = new("--weights") { Description = "Privacy weights λ, comma-separated (the unprotected model is always trained too).", DefaultValueFactory = _ => "0.3,1,3,10,30", HelpName = "L,L,..." };
        public readonly Option<string> Seeds = new("--seeds") { Description = "Seeds, comma-separated.", DefaultValueFactory = _ => "1,2,3", HelpName = "S,S,..." };
        public readonly PrivacyFlags Privacy = new();
        public readonly PrivacyFlags.Training PrivacyTraining = new();
        public readonly Option<string?> Markdown = CliSupport.File("--markdown", "Write the table as Markdown to this file.");
        public readonly Option<string?> Json = CliSupport.File("--json", "Write every run's figures to this JSON file.");
    }

    private sealed record Run(int Seed, double? Weight, double LrAuc, double MlpAuc, double LrBalanced, double MlpBalanced, double P5, double Ndcg10, double Seconds);

    public static Command Create()
    {
        var f = new Flags();
        f.Privacy.Sensitive.Required = true;
        var command = new Command("privacy-tradeoff", "Train unprotected and privacy-adversarial models over several λ and seeds; tabulate attacker ROC-AUC / balanced accuracy against P@5 and NDCG@10.")
        {
            f.TrainFile, f.TestFile, f.MinRating, f.Weights, f.Seeds,
            f.Privacy.Sensitive, f.Privacy.Bands, f.Privacy.Folds, f.Markdown, f.Json,
        };
        command.AddOptions(f.Model.All.Concat(f.PrivacyTraining.All.Where(o => o != f.PrivacyTraining.Weight)));
        command.SetHandler(c => Execute(c, f));
        return command;
    }

    private static int Execute(CommandContext c, Flags f)
    {
        var weights = CliSupport.ParseList(c.Get(f.Weights), "--weights", s => double.Parse(s, NumberStyles.Float, CultureInfo.InvariantCulture), w => w >= 0 && double.IsFinite(w));
        var seeds = CliSupport.ParseList(c.Get(f.Seeds), "--seeds", s => int.Parse(s, CultureInfo.InvariantCulture), _ => true);
        var attributes = f.Privacy.Load(c)!;
        float? minRating = c.Get(f.MinRating);
        var trainTable = InteractionFileReader.Read(c.Get(f.TrainFile)!);
        var testTable = InteractionFileReader.Read(c.Get(f.TestFile)!);
        var train = InteractionData.FromTable(trainTable, minRating);
        var split = TrainTestSplit.FromTables(trainTable, testTable, minRating);
        var ranking = new RankingEvaluator(new RankingEvaluator.Options { Ks = [5, 10] });
        bool apr = f.Model.IsApr(c);
        c.Out.WriteLine($"{attributes.Name}: {attributes.UserCount} users, {attributes.ClassCount} classes; {train.Count} training positives; trainer {(apr ? "apr" : "bpr")}, {c.Get(f.Model.Epochs)} epochs, dim {c.Get(f.Model.Dim)}");

        var runs = new List<Run>();
        foreach (var seed in seeds)
            foreach (double? weight in new double?[] { null }.Concat(weights.Select(w => (double?)w)))
            {
                var options = f.Model.Create(c, minRating);
                options.Seed = seed;
                options.NumberOfThreads = 1;
                options.Privacy = weight is { } w ? f.PrivacyTraining.Create(c, attributes, w) : null;
                var clock = Stopwatch.StartNew();
                var trainer = new MLContext(seed).Adversarial().Trainers.Apr(options);
                var model = trainer.Train(train, null, seed, null, out _).Model;
                clock.Stop();
                var metrics = ranking.Evaluate(new FactorizationModelScorer(model, split.Train.Users, split.Train.Items), split.Train, split.Test);
                var audit = f.Privacy.Evaluator(c, seed).Evaluate(model, attributes);
                var lr = audit[PrivacyEvaluator.LogisticRegression];
                var mlp = audit[PrivacyEvaluator.Mlp];
                var run = new Run(seed, weight, lr.RocAuc ?? double.NaN, mlp.RocAuc ?? double.NaN, lr.BalancedAccuracy, mlp.BalancedAccuracy,
                    metrics.At(5).Precision, metrics.At(10).Ndcg, clock.Elapsed.TotalSeconds);
                runs.Add(run);
                c.Out.WriteLine(FormattableString.Invariant(
                    $"seed {seed} {Label(weight),-12} AUC lr {run.LrAuc:F4} mlp {run.MlpAuc:F4}  bal.acc lr {run.LrBalanced:F4} mlp {run.MlpBalanced:F4}  P@5 {run.P5:F4}  NDCG@10 {run.Ndcg10:F4}  ({run.Seconds:F1}s)"));
            }

        var table = Table(runs, attributes.ClassCount == 2);
        c.Out.WriteLine();
        c.Out.Write(table);
        if (c.Get(f.Markdown) is { } md) AtomicFile.Write(md, s => { using var w = new StreamWriter(s, leaveOpen: true); w.Write(table); });
        if (c.Get(f.Json) is { } json) Reports.WriteJson(json, runs);
        return 0;
    }

    /// <summary>
    /// The larger of max(AUC, 1 − AUC) over the two attackers: a cross-validated AUC well below 0.5 is information too
    /// (an attacker who checks its own folds learns to flip its prediction), so it is folded back above 0.5.
    /// </summary>
    private static double Either(Run r) => Math.Max(Math.Max(r.LrAuc, 1 - r.LrAuc), Math.Max(r.MlpAuc, 1 - r.MlpAuc));

    private static string Label(double? weight) => weight is { } w ? FormattableString.Invariant($"λ={w:G4}") : "unprotected";

    /// <summary>Markdown table of the means ± sd over seeds, one row per λ; NDCG ratio against the unprotected model of the same seed.</summary>
    private static string Table(List<Run> runs, bool binary)
    {
        static string MeanSd(IEnumerable<double> values)
        {
            var v = values.ToArray();
            double mean = v.Average();
            double sd = v.Length > 1 ? Math.Sqrt(v.Sum(x => (x - mean) * (x - mean)) / (v.Length - 1)) : 0;
            return FormattableString.Invariant($"{mean:F3} ± {sd:F3}");
        }
        var baseline = runs.Where(r => r.Weight is null).ToDictionary(r => r.Seed, r => r.Ndcg10);
        var sb = new System.Text.StringBuilder();
        sb.AppendLine(binary
            ? "| model | ROC-AUC (LR) | ROC-AUC (MLP) | max(AUC, 1−AUC), worse attacker | bal. acc. (LR) | bal. acc. (MLP) | P@5 | NDCG@10 | NDCG@10 / unprotected |"
            : "| model | bal. acc. (LR) | bal. acc. (MLP) | P@5 | NDCG@10 | NDCG@10 / unprotected |");
        sb.AppendLine(binary ? "|---|---|---|---|---|---|---|---|---|" : "|---|---|---|---|---|---|");
        foreach (var group in runs.GroupBy(r => r.Weight))
        {
            var g = group.ToArray();
            string ratio = MeanSd(g.Select(r => r.Ndcg10 / baseline[r.Seed]));
            sb.AppendLine(binary
                ? $"| {Label(group.Key)} | {MeanSd(g.Select(r => r.LrAuc))} | {MeanSd(g.Select(r => r.MlpAuc))} | {MeanSd(g.Select(Either))} | {MeanSd(g.Select(r => r.LrBalanced))} | {MeanSd(g.Select(r => r.MlpBalanced))} | {MeanSd(g.Select(r => r.P5))} | {MeanSd(g.Select(r => r.Ndcg10))} | {ratio} |"
                : $"| {Label(group.Key)} | {MeanSd(g.Select(r => r.LrBalanced))} | {MeanSd(g.Select(r => r.MlpBalanced))} | {MeanSd(g.Select(r => r.P5))} | {MeanSd(g.Select(r => r.Ndcg10))} | {ratio} |");
        }
        return sb.ToString();
    }
}
