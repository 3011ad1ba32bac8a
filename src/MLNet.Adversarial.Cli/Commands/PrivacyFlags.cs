using System.CommandLine;
using System.Globalization;
using MLNet.Adversarial.Data;
using MLNet.Adversarial.Evaluation;
using MLNet.Adversarial.Trainers;

namespace MLNet.Adversarial.Cli.Commands;

/// <summary>The flags of privacy-adversarial training and auditing, shared by train, audit and privacy-tradeoff.</summary>
internal sealed class PrivacyFlags
{
    public readonly Option<string?> Sensitive = new("--sensitive")
    {
        Description = "Sensitive user attribute FILE:COLUMN: a user table (first column the user id; '|', tab or comma separated; header optional), " +
            "COLUMN a header name or 1-based index (u.user:3 is gender in MovieLens).",
        HelpName = "FILE:COLUMN",
    };
    public readonly Option<string?> Bands = new("--bands") { Description = "Band edges that turn a numeric attribute into classes, e.g. 25,35,45 for age (u.user:2).", HelpName = "E,E,..." };
    public readonly Option<int> Folds = new("--folds") { Description = "Cross-validation folds of the privacy attackers.", DefaultValueFactory = _ => 5 };

    /// <summary>The training-only flags (not for audit), generated from <see cref="PrivacyOptions"/>' declarations.</summary>
    public sealed class Training
    {
        private readonly HyperParameterFlags _flags = new(("privacy", typeof(PrivacyOptions)));

        public Option<double> Weight => _flags.Get<double>("--privacy-weight");

        public IEnumerable<Option> All => _flags.All;

        /// <summary>Privacy options for <paramref name="attributes"/> from the flags; <paramref name="weight"/> overrides --privacy-weight.</summary>
        public PrivacyOptions Create(CommandContext c, SensitiveAttributes attributes, double? weight = null)
        {
            var options = new PrivacyOptions { SensitiveAttributes = attributes };
            _flags.Apply(c, options);
            if (weight is { } w) options.PrivacyWeight = w;
            return options;
        }
    }

    /// <summary>The attribute named by --sensitive (and --bands), or null without --sensitive.</summary>
    public SensitiveAttributes? Load(CommandContext c)
    {
        var spec = c.Get(Sensitive);
        var bandsText = c.Get(Bands);
        if (spec is null)
        {
            if (bandsText is not null) throw new CliException("--bands needs --sensitive.");
            return null;
        }
        var bands = bandsText is null ? null
            : CliSupport.ParseList(bandsText, "--bands", s => double.Parse(s, NumberStyles.Float, CultureInfo.InvariantCulture), double.IsFinite);
        try
        {
            return SensitiveAttributes.FromSpec(spec, bands);
        }
        catch (ArgumentException e)
        {
            throw new CliException($"--sensitive: {e.Message.Split(" (Parameter")[0]}");
        }
    }

    public PrivacyEvaluator Evaluator(CommandContext c, int seed)
    {
        if (c.Get(Folds) < 2) throw new CliException("--folds must be at least 2.");
        return new PrivacyEvaluator(new PrivacyEvaluator.Options { Folds = c.Get(Folds), Seed = seed });
    }

    /// <summary>Prints one line per attacker.</summary>
    public static void WriteTable(TextWriter output, PrivacyResult result)
    {
        output.WriteLine($"privacy audit: {result.Attribute}, {result.UserCount} users, classes " +
            string.Join(", ", result.ClassNames.Zip(result.ClassCounts, (n, k) => $"{n} {k}")) +
            FormattableString.Invariant($"; {result.Folds}-fold CV; majority share {result.MajorityShare:F3}"));
        output.WriteLine($"{"attacker",-20}  {"ROC-AUC",8}  {"bal.acc",8}  {"accuracy",8}");
        foreach (var a in result.Attackers)
            output.WriteLine($"{a.Attacker,-20}  {(a.RocAuc is { } auc ? CliSupport.Format(auc) : "-"),8}  {CliSupport.Format(a.BalancedAccuracy),8}  {CliSupport.Format(a.Accuracy),8}");
    }
}
