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

    /// <summary>The training-only flags (not for audit).</summary>
    public sealed class Training
    {
        public readonly Option<double> Weight = new("--privacy-weight") { Description = "Weight λ of the privacy-adversarial term (with --sensitive; 0: adversary trained but ignored).", DefaultValueFactory = _ => PrivacyOptions.Defaults.PrivacyWeight };
        public readonly Option<string> Objective = new Option<string>("--privacy-objective") { Description = "parity (equal mean adversary output across classes; default), confusion (push each prediction to uniform) or reversal (maximise the adversary's loss).", DefaultValueFactory = _ => "parity" }.AcceptOnlyFromAmong("parity", "confusion", "reversal");
        public readonly Option<int> Hidden = new("--adversary-hidden") { Description = "Hidden units of the adversary (0: linear).", DefaultValueFactory = _ => PrivacyOptions.Defaults.AdversaryHiddenSize };
        public readonly Option<int> Steps = new("--adversary-steps") { Description = "Adversary Adam steps per recommender step.", DefaultValueFactory = _ => PrivacyOptions.Defaults.AdversarySteps };
        public readonly Option<double> LearningRate = new("--adversary-lr") { Description = "Adversary learning rate.", DefaultValueFactory = _ => PrivacyOptions.Defaults.AdversaryLearningRate };
        public readonly Option<bool> AllUsers = new("--adversary-all-users") { Description = "Train the adversary on every labelled user at each step, not only the batch's users." };
        public readonly Option<string> Step = new Option<string>("--privacy-step") { Description = "decoupled (a plain gradient step λ·lr per user, outside Adam; default) or joint (λ·loss inside the optimised loss).", DefaultValueFactory = _ => "decoupled" }.AcceptOnlyFromAmong("decoupled", "joint");
        public readonly Option<int> Start = new("--privacy-start") { Description = "Epochs before the privacy term acts.", DefaultValueFactory = _ => 0 };

        public IEnumerable<Option> All => [Weight, Objective, Hidden, Steps, LearningRate, AllUsers, Step, Start];

        public PrivacyOptions Create(CommandContext c, SensitiveAttributes attributes, double? weight = null) => new()
        {
            SensitiveAttributes = attributes,
            PrivacyWeight = weight ?? c.Get(Weight),
            Objective = c.Get(Objective) switch { "reversal" => PrivacyObjective.GradientReversal, "parity" => PrivacyObjective.Parity, _ => PrivacyObjective.Confusion },
            AdversaryHiddenSize = c.Get(Hidden),
            AdversarySteps = c.Get(Steps),
            AdversaryLearningRate = c.Get(LearningRate),
            AdversaryOnAllUsers = c.Get(AllUsers),
            DecoupledStep = c.Get(Step) == "decoupled",
            StartEpoch = c.Get(Start),
        };
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
