using System.CommandLine;
using System.Globalization;
using MLNet.Adversarial.Data;
using MLNet.Adversarial.Evaluation;

namespace MLNet.Adversarial.Cli.Commands;

/// <summary>
/// <c>evaluate --cold-start F</c>: trains the hybrid model (the model and text flags) on the warm items of a seeded item
/// holdout and ranks the held-out items for the users who liked them, next to the id-only model of the same settings
/// (warm items only), the content-only and the random baselines; writes cold and warm metrics into metrics.json.
/// </summary>
internal sealed class ColdStartFlags
{
    public readonly Option<double?> Fraction = new("--cold-start") { Description = "Hold out this share of the items with all their interactions, train on the rest, and rank the held-out items (needs --item-text).", HelpName = "F" };
    public readonly Option<string> Seeds = new("--seeds") { Description = "Seeds of the item holdout and training, comma-separated (with --cold-start).", DefaultValueFactory = _ => "1", HelpName = "S,S,..." };
    public readonly Option<double> ValidationFraction = new("--validation-fraction") { Description = "Per-user share of the warm training positives held out to select the epoch (with --cold-start; 0: train all epochs).", DefaultValueFactory = _ => 0.1 };
    public readonly Option<string?> OutDir = new("--out") { Description = "Folder to write metrics.json into (with --cold-start).", HelpName = "DIR" };
    public readonly ModelFlags Model = new("bpr");
    public readonly TextFlags Text = new();

    public IEnumerable<Option> All => [Fraction, Seeds, ValidationFraction, OutDir, .. Model.All, .. Text.All];

    public int Run(CommandContext c, string trainPath, string? testPath, float? minRating, IReadOnlyList<int> ks, string? json)
    {
        double fraction = c.Get(Fraction)!.Value;
        if (!(fraction > 0 && fraction < 1)) throw new CliException($"--cold-start must be in (0, 1); got {fraction.ToString(CultureInfo.InvariantCulture)}.");
        if (!Text.IsHybrid(c)) throw new CliException("--cold-start needs --item-text: only a model with item text can rank items it never trained on.");
        double validationFraction = c.Get(ValidationFraction);
        if (!(validationFraction >= 0 && validationFraction < 1)) throw new CliException("--validation-fraction must be in [0, 1).");
        var seeds = CliSupport.ParseList(c.Get(Seeds), "--seeds", s => int.Parse(s, CultureInfo.InvariantCulture), _ => true);
        var options = Model.Create(c, minRating);
        options.NumberOfThreads = 1;
        options.Validate();

        var train = InteractionFileReader.Read(trainPath);
        if (minRating is not null && train.Ratings is null) throw new CliException($"--min-rating needs ratings, but {train.Source} has none.");
        var test = testPath is null ? null : InteractionFileReader.Read(testPath);
        var (items, users) = Text.Load(c);
        string trainer = Model.IsApr(c) ? "apr" : "bpr";
        var hybrid = Model.Create(c, minRating);
        hybrid.NumberOfThreads = 1;
        TextFlags.Apply(hybrid, items, users);
        hybrid.Validate();
        ColdStartExperiment.Model[] models =
        [
            new($"hybrid-{trainer}", hybrid),
            new($"id-only-{trainer}", options),
            new("content-only", null, ColdStartExperiment.Baseline.ContentOnly),
            new("random", null, ColdStartExperiment.Baseline.Random),
        ];
        c.Out.WriteLine($"cold start: {(fraction * 100).ToString("0.#", CultureInfo.InvariantCulture)}% of the items held out; {items!.Count} item texts from {items.Name} ({items.Dimension} dimensions); seeds {string.Join(",", seeds)}");
        var data = new ColdStartExperiment.Data(train, test, minRating, fraction, items, validationFraction) { Ks = ks };
        var runs = ColdStartExperiment.Execute(data, models, seeds, c.Out);

        var report = ColdStartReport.Create(runs, models.Select(m => m.Name).ToArray(), fraction, seeds, $"{train.Source}{(test is null ? " (20% per-user warm test holdout)" : $" / {test.Source}")}", items.Name);
        c.Out.WriteLine();
        c.Out.Write(ColdStartReport.Markdown(report));
        if (c.Get(OutDir) is { } dir)
        {
            Directory.CreateDirectory(dir);
            Reports.WriteJson(Path.Combine(dir, "metrics.json"), new { ColdStart = report });
            c.Out.WriteLine($"wrote {Path.Combine(dir, "metrics.json")}");
        }
        if (json is not null) Reports.WriteJson(json, new { ColdStart = report });
        return 0;
    }
}
