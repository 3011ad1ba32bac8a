using System.CommandLine;
using System.Globalization;
using System.Text;
using MLNet.Adversarial.Cli;
using MLNet.Adversarial.Cli.Commands;
using MLNet.Adversarial.Data;
using MLNet.Adversarial.Robustness;
using MLNet.Adversarial.Trainers;

namespace MLNet.Adversarial.Research.Commands;

/// <summary>
/// <c>poisoning</c>: the tables of docs/robustness.md. For every trainer and defence, trains on the clean rows and on
/// the rows poisoned by every shilling profile at every fake-user budget, and prints the targets' median rank among the
/// real users, its gain over the clean model, the targets' HR@10 and NDCG@10, the test NDCG@10 against the undefended
/// clean model of the same trainer, and what the detector caught.
/// </summary>
internal static class PoisoningCommand
{
    private sealed class Flags
    {
        public readonly ModelFlags Model = new("apr", "bpr", "apr", "irgan", "cfgan");
        public readonly Option<string?> TrainFile = CliSupport.File("--train", "Clean training interactions.", required: true);
        public readonly Option<string?> TestFile = CliSupport.File("--test", "Test interactions of the real users.", required: true);
        public readonly Option<string> Trainers = new("--trainers") { Description = "Trainers, comma-separated (bpr, apr, irgan, cfgan).", DefaultValueFactory = _ => "bpr,apr", HelpName = "T,T,..." };
        public readonly Option<string> Profiles = new("--profiles") { Description = "Shilling profiles, comma-separated (random, average, bandwagon, segment).", DefaultValueFactory = _ => "bandwagon", HelpName = "P,P,..." };
        public readonly Option<string> Budgets = new("--budgets") { Description = "Fake users as a share of the users, comma-separated.", DefaultValueFactory = _ => "0.05", HelpName = "F,F,..." };
        public readonly Option<string> Defenses = new("--defenses") { Description = "Defences, comma-separated (none, auto, neighbors).", DefaultValueFactory = _ => "none,auto", HelpName = "D,D,..." };
        public readonly Option<int> Seed = new("--seed") { Description = "Seed of the attack (targets, fillers) and of training.", DefaultValueFactory = _ => 42 };
        public readonly AttackFlags Attack = new();
        public readonly Option<string?> Markdown = CliSupport.File("--markdown", "Write the table as Markdown to this file.");
        public readonly Option<string?> Json = CliSupport.File("--json", "Write every run's figures to this JSON file.");
    }

    /// <summary>One trained model: clean when <see cref="Profile"/> is null.</summary>
    private sealed record Run(string Trainer, string Defense, string? Profile, double Budget, PoisoningExperiment.Measurement Measurement, int FakesCaught, int Fakes);

    public static Command Create()
    {
        var f = new Flags();
        var command = new Command("poisoning", "Shilling attacks against trainers with and without defences: target median rank, HR/NDCG@10 of the targets, clean NDCG@10 (docs/robustness.md).")
        {
            f.TrainFile, f.TestFile, f.Trainers, f.Profiles, f.Budgets, f.Defenses, f.Seed, f.Markdown, f.Json,
        };
        command.AddOptions(f.Attack.All.Concat(f.Model.HyperParameters.All));
        command.SetHandler(c => Execute(c, f));
        return command;
    }

    private static int Execute(CommandContext c, Flags f)
    {
        var trainers = CliSupport.ParseList(c.Get(f.Trainers), "--trainers", s => s, s => s is "bpr" or "apr" or "irgan" or "cfgan");
        var profiles = CliSupport.ParseList(c.Get(f.Profiles), "--profiles", w => AttackFlags.ParseProfile(w, "--profiles"), _ => true);
        var budgets = CliSupport.ParseList(c.Get(f.Budgets), "--budgets", s => double.Parse(s, NumberStyles.Float, CultureInfo.InvariantCulture), b => b > 0 && b <= 1);
        var defenses = CliSupport.ParseList(c.Get(f.Defenses), "--defenses", w => AttackFlags.ParseDefense(w, "--defenses"), _ => true);
        int seed = c.Get(f.Seed);
        var train = InteractionFileReader.Read(c.Get(f.TrainFile)!);
        var test = InteractionFileReader.Read(c.Get(f.TestFile)!);
        var probe = OptionsFor(c, f, "bpr");
        var experiment = new PoisoningExperiment(train, test, probe.MinRating);
        var attacks = profiles.SelectMany(p => budgets.Select(b => (Profile: p, Budget: b, Table: f.Attack.Create(c, p, b, probe.MinRating, seed).Poison(train)))).ToList();
        var targets = attacks[0].Table.TargetItems;
        c.Out.WriteLine($"{train.Source}: {train.Count} rows; targets {string.Join(", ", targets)}; test {test.Source}");

        var runs = new List<Run>();
        foreach (var trainer in trainers)
            foreach (var defense in defenses)
            {
                var options = OptionsFor(c, f, trainer);
                options.Defense = defense;
                string defenseName = AttackFlags.DefenseWord(defense);
                var clean = experiment.Measure(options, train, targets, seed);
                runs.Add(Print(c, new Run(trainer, defenseName, null, 0, clean, 0, 0)));
                foreach (var (profile, budget, table) in attacks)
                {
                    var attacked = experiment.Measure(options, table.Table, table.TargetItems, seed);
                    int caught = 0;
                    if (defense != PoisoningDefense.None)
                    {
                        PoisoningDefenses.Apply(table.Table, options.MinRating, defense, out var detection);
                        var fakes = table.FakeUsers.ToHashSet();
                        for (int u = 0; u < detection!.Users.Count; u++)
                            if (detection.Suspected[u] && fakes.Contains(detection.Users.GetIdText(u))) caught++;
                    }
                    runs.Add(Print(c, new Run(trainer, defenseName, AttackFlags.ProfileWord(profile), budget, attacked, caught, table.FakeUsers.Count)));
                }
            }

        var markdown = Table(runs);
        c.Out.WriteLine();
        c.Out.Write(markdown);
        if (c.Get(f.Markdown) is { } md) AtomicFile.Write(md, s => { using var w = new StreamWriter(s, leaveOpen: true); w.Write(markdown); });
        if (c.Get(f.Json) is { } json) Reports.WriteJson(json, runs);
        return 0;
    }

    private static RecommenderTrainerOptions OptionsFor(CommandContext c, Flags f, string trainer)
    {
        RecommenderTrainerOptions options = trainer switch
        {
            "irgan" => new IrganTrainer.Options(),
            "cfgan" => new CfganTrainer.Options(),
            _ => new AprTrainer.Options(),
        };
        f.Model.HyperParameters.Apply(c, options);
        if (options is AprTrainer.Options apr && trainer == "bpr") apr.AdversarialWeight = 0;
        options.NumberOfThreads = 1;
        options.Validate();
        return options;
    }

    private static Run Print(CommandContext c, Run r)
    {
        var m = r.Measurement;
        c.Out.WriteLine(FormattableString.Invariant(
            $"{r.Trainer} defense {r.Defense,-9} {(r.Profile is null ? "clean" : $"{r.Profile} {r.Budget:P0}"),-15} median target rank {m.Targets.MedianRank,7:F1}  target HR@10 {m.Targets.HitRate:F4} NDCG@10 {m.Targets.Ndcg:F4}  test NDCG@10 {m.Accuracy.At(PoisoningExperiment.K).Ndcg:F4}  suspected {m.Suspected}{(r.Fakes > 0 && r.Defense != "none" ? $" ({r.FakesCaught}/{r.Fakes} fakes)" : "")}  ({m.Seconds:F1}s)"));
        return r;
    }

    /// <summary>Markdown: per trainer, defence and attack, the target ranks and the accuracy against the same trainer's undefended clean model.</summary>
    private static string Table(List<Run> runs)
    {
        var sb = new StringBuilder();
        sb.AppendLine("| trainer | defense | data | median target rank | rank gain vs clean | target HR@10 | target NDCG@10 | test NDCG@10 | NDCG@10 / undefended clean | users dropped | fakes dropped |");
        sb.AppendLine("|---|---|---|---|---|---|---|---|---|---|---|");
        foreach (var r in runs)
        {
            var baseline = runs.First(b => b.Trainer == r.Trainer && b.Defense == "none" && b.Profile is null).Measurement;
            var clean = runs.First(b => b.Trainer == r.Trainer && b.Defense == r.Defense && b.Profile is null).Measurement;
            var m = r.Measurement;
            double ndcg = m.Accuracy.At(PoisoningExperiment.K).Ndcg;
            sb.AppendLine(FormattableString.Invariant(
                $"| {r.Trainer} | {r.Defense} | {(r.Profile is null ? "clean" : $"{r.Profile} {r.Budget:P0}")} | {m.Targets.MedianRank:F1} | {(r.Profile is null ? "" : (clean.Targets.MedianRank - m.Targets.MedianRank).ToString("F1", CultureInfo.InvariantCulture))} | {m.Targets.HitRate:F4} | {m.Targets.Ndcg:F4} | {ndcg:F4} | {ndcg / baseline.Accuracy.At(PoisoningExperiment.K).Ndcg:P1} | {m.Suspected} | {(r.Fakes > 0 && r.Defense != "none" ? $"{r.FakesCaught}/{r.Fakes}" : "")} |"));
        }
        return sb.ToString();
    }
}
