using System.Globalization;
using System.Reflection;
using System.Text.Json;
using System.Text.RegularExpressions;
using MLNet.Adversarial.Cli;
using MLNet.Adversarial.Cli.Commands;
using MLNet.Adversarial.Data;
using MLNet.Adversarial.Onnx;
using MLNet.Adversarial.Trainers;
using MLNet.Adversarial.Training;

namespace MLNet.Adversarial.Tests.Trainers;

/// <summary>
/// Every public option of every trainer is either a declared hyper-parameter or marked as not one, and every declared
/// one reaches all the places it drives: validation, the scorer.onnx metadata, the checkpoint settings, a
/// <c>mlnet-adv train</c> flag with help that sets it, and the metrics.json summary.
/// </summary>
[TestClass]
public sealed class HyperParameterDeclarationTests
{
    private static readonly Type[] OptionsTypes = [typeof(AprTrainer.Options), typeof(IrganTrainer.Options), typeof(CfganTrainer.Options), typeof(PrivacyOptions)];

    /// <summary>The trainers of <c>train</c>, each with its options class.</summary>
    private static readonly (string Trainer, Type Options)[] Trainers =
        [("apr", typeof(AprTrainer.Options)), ("irgan", typeof(IrganTrainer.Options)), ("cfgan", typeof(CfganTrainer.Options))];

    private static string _root = null!;
    private static string _sensitive = null!;

    [ClassInitialize]
    public static void WriteSensitiveAttribute(TestContext _)
    {
        _root = Path.Combine(Path.GetTempPath(), "mlnet-adv-hparams-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(_root);
        // The users of train's built-in synthetic data (seed 42), split into two groups.
        var users = SyntheticInteractions.GenerateSplit(new SyntheticInteractions.Options { Seed = 42 }).Train.Users.Int64Values.ToArray().Distinct().Order();
        var path = Path.Combine(_root, "users.csv");
        File.WriteAllLines(path, ["id,group", .. users.Select(u => $"{u},{(u % 2 == 0 ? "even" : "odd")}")]);
        _sensitive = path + ":group";
    }

    [ClassCleanup]
    public static void Cleanup()
    {
        try { Directory.Delete(_root, recursive: true); } catch (IOException) { }
    }

    [TestMethod]
    public void EveryPublicOptionIsDeclaredOrMarkedAsNotAHyperParameter()
    {
        foreach (var type in OptionsTypes)
            foreach (var property in type.GetProperties(BindingFlags.Public | BindingFlags.Instance).Where(p => p.SetMethod?.IsPublic == true))
            {
                int marks = (property.GetCustomAttribute<HyperParameterAttribute>() is null ? 0 : 1)
                    + (property.GetCustomAttribute<NotHyperParameterAttribute>() is null ? 0 : 1)
                    + (property.GetCustomAttribute<HyperParameterGroupAttribute>() is null ? 0 : 1);
                Assert.AreEqual(1, marks, $"{type.FullName}.{property.Name}: declare it [HyperParameter(...)] or mark it [NotHyperParameter(\"why not\")], once");
            }
    }

    [TestMethod]
    public void DeclarationsAreConsistent()
    {
        foreach (var type in OptionsTypes)
        {
            var set = HyperParameterSet.For(type);
            Assert.IsNotEmpty(set.Parameters, type.Name);
            var keys = set.Parameters.Select(p => p.Key).ToList();
            CollectionAssert.AllItemsAreUnique(keys, $"{type.Name}: metadata keys");
            CollectionAssert.AllItemsAreUnique(set.Parameters.Select(p => p.Flag).ToList(), $"{type.Name}: flags");
            foreach (var p in set.Parameters)
            {
                string name = $"{type.Name}.{p.Name}";
                Assert.IsTrue(Regex.IsMatch(p.Key, "^[a-z][a-z0-9_]*$"), $"{name}: key '{p.Key}' is not snake_case");
                Assert.IsTrue(Regex.IsMatch(p.Flag, "^--[a-z][a-z0-9-]*$"), $"{name}: flag '{p.Flag}'");
                Assert.IsFalse(string.IsNullOrWhiteSpace(p.Help), $"{name}: no help");
                Assert.IsTrue(p.IsValid(set.DefaultOf(p)), $"{name}: the default {set.DefaultOf(p)} is outside the declared range");
                if (p.Search is { } search)
                {
                    if (search.Choices is { } choices) Assert.IsTrue(choices.All(p.IsValid), $"{name}: a search choice is invalid");
                    else
                    {
                        Assert.IsLessThan(search.Max, search.Min, $"{name}: empty search range");
                        Assert.IsTrue(p.IsValid(Convert.ChangeType(search.Min, p.ValueType, CultureInfo.InvariantCulture))
                            && p.IsValid(Convert.ChangeType(search.Max, p.ValueType, CultureInfo.InvariantCulture)), $"{name}: search range outside the valid range");
                        Assert.IsTrue(!search.LogScale || search.Min > 0, $"{name}: a log-scale search needs a positive minimum");
                    }
                }
                if (OutOfRange(p) is { } bad) AssertRejected(type, p, bad);
            }
        }
    }

    [TestMethod]
    public void EveryHyperParameterReachesTheCliTheModelMetadataTheCheckpointAndMetricsJson()
    {
        var flags = TrainCommand.Create().Options.ToDictionary(o => o.Name);
        (string Trainer, Type Options, string[] Args)[] runs =
        [
            ("apr", typeof(AprTrainer.Options), ["--trainer", "apr", "--epochs", "2", "--dim", "8", "--sensitive", _sensitive, "--folds", "2"]),
            ("irgan", typeof(IrganTrainer.Options), ["--trainer", "irgan", "--epochs", "1", "--gan-epochs", "1", "--d-epochs", "1", "--dim", "8"]),
            ("cfgan", typeof(CfganTrainer.Options), ["--trainer", "cfgan", "--epochs", "1", "--g-hidden", "8", "--d-hidden", "8"]),
        ];
        foreach (var (trainer, type, args) in runs)
        {
            var dir = Path.Combine(_root, trainer);
            var output = new StringWriter();
            var error = new StringWriter();
            Assert.AreEqual(0, CliApp.Run(["train", .. args, "--out", dir], output, error), error.ToString());

            var expected = TrainCommand.OptionsFromCommandLine([.. args, "--out", dir]);
            var metadata = OnnxModelFile.Validate(Path.Combine(dir, "scorer.onnx"));
            var checkpointFile = Path.Combine(dir, FactorizationTrainerOptions.CheckpointFileName);
            var settings = File.Exists(checkpointFile) ? TrainingCheckpoint.Load(checkpointFile).Settings : null;
            Assert.IsNotNull(settings, $"{trainer} writes a checkpoint");
            using var json = JsonDocument.Parse(File.ReadAllText(Path.Combine(dir, "metrics.json")));
            var summary = json.RootElement.GetProperty("options");

            void Check(object options, string checkpointPrefix, JsonElement summaryObject)
            {
                foreach (var p in HyperParameterSet.For(options.GetType()).Parameters)
                {
                    string name = $"{trainer}: {options.GetType().Name}.{p.Name}";
                    Assert.IsTrue(metadata.TryGetValue(OnnxMetadataKeys.HyperParameterPrefix + p.Key, out var recorded), $"{name}: not in scorer.onnx metadata ({p.Key})");
                    Assert.AreEqual(HyperParameter.Format(p.RecordedValue(options)), recorded, $"{name}: metadata value");
                    if (p.ShapesTraining && settings is not null)
                        Assert.IsTrue(settings.ContainsKey(checkpointPrefix + p.Name), $"{name}: not in the checkpoint settings");
                    Assert.IsTrue(flags.TryGetValue(p.Flag, out var flag), $"{name}: train has no {p.Flag}");
                    Assert.IsFalse(string.IsNullOrWhiteSpace(flag!.Description), $"{name}: {p.Flag} has no help");
                    Assert.IsTrue(summaryObject.TryGetProperty(JsonNamingPolicy.CamelCase.ConvertName(p.Name), out _), $"{name}: not in metrics.json options");
                }
            }
            Check(expected, "", summary);
            if (expected is FactorizationTrainerOptions { Privacy: { } privacy })
                Check(privacy, "Privacy.", summary.GetProperty("privacy"));
            else
                Assert.AreNotEqual("apr", trainer, "the APR run trains with privacy, so that its options are checked too");
        }
    }

    [TestMethod]
    public void SettingEachFlagChangesTheOptionItNamesAndOnlyThat()
    {
        foreach (var (trainer, type) in Trainers)
        {
            var set = HyperParameterSet.For(type);
            var defaults = TrainCommand.OptionsFromCommandLine("--trainer", trainer, "--out", "unused");
            foreach (var p in set.Parameters)
                Assert.AreEqual(set.DefaultOf(p), p.GetValue(defaults), $"{trainer}: {p.Flag} not given must keep {type.Name}'s default");
            foreach (var p in set.Parameters)
            {
                var (value, flag) = OtherValue(p, set.DefaultOf(p));
                var options = TrainCommand.OptionsFromCommandLine(["--trainer", trainer, .. flag, "--out", "unused"]);
                Assert.AreEqual(value, p.GetValue(options), $"{trainer}: {string.Join(" ", flag)}");
                foreach (var other in set.Parameters.Where(o => o != p))
                    Assert.AreEqual(other.GetValue(defaults), other.GetValue(options), $"{trainer}: {string.Join(" ", flag)} changed {other.Name}");
            }
        }

        var privacySet = HyperParameterSet.For<PrivacyOptions>();
        foreach (var p in privacySet.Parameters)
        {
            var (value, flag) = OtherValue(p, privacySet.DefaultOf(p));
            var options = (AprTrainer.Options)TrainCommand.OptionsFromCommandLine(["--trainer", "bpr", "--sensitive", _sensitive, .. flag, "--out", "unused"]);
            Assert.AreEqual(value, p.GetValue(options.Privacy!), string.Join(" ", flag));
        }
    }

    [TestMethod]
    public void CopiesShareNoOptionsObject()
    {
        var options = new AprTrainer.Options { AdversarialWeight = 0.7, Privacy = new PrivacyOptions { SensitiveAttributes = SensitiveAttributes.FromSpec(_sensitive), PrivacyWeight = 2 } };
        new Microsoft.ML.MLContext(1).Adversarial().Trainers.Bpr(options);
        Assert.AreEqual(0.7, options.AdversarialWeight, "Trainers.Bpr must not change the caller's options");

        var copy = HyperParameterSet.Clone(options);
        copy.Privacy!.PrivacyWeight = 5;
        Assert.AreEqual(2, options.Privacy.PrivacyWeight, "the clone's privacy options are its own");

        // IRGAN's BPR pre-training takes every inherited option.
        var irgan = new IrganTrainer.Options();
        foreach (var p in HyperParameterSet.For<IrganTrainer.Options>().Parameters.Where(p => p.DeclaringType.IsAssignableFrom(typeof(AprTrainer.Options))))
            p.SetValue(irgan, OtherValue(p, p.GetValue(irgan)).Value);
        var bpr = irgan.PretrainingOptions();
        foreach (var p in HyperParameterSet.For<IrganTrainer.Options>().Parameters.Where(p => p.DeclaringType.IsAssignableFrom(typeof(AprTrainer.Options))))
            Assert.AreEqual(p.GetValue(irgan), p.GetValue(bpr), p.Name);
        Assert.AreEqual(0, bpr.AdversarialWeight);
    }

    /// <summary>A valid value other than <paramref name="current"/>, and the train arguments that set it.</summary>
    private static (object Value, string[] Args) OtherValue(HyperParameter p, object? current)
    {
        if (p.IsSwitch)
        {
            Assert.AreNotEqual(p.SwitchValue, current, $"{p.Flag}: the switch must select a value other than the default");
            return (p.SwitchValue, [p.Flag]);
        }
        if (p.FlagWords is not null)
        {
            var choice = p.Choices.First(c => !c.Equals(current));
            return (choice, [p.Flag, p.FlagWord(choice)]);
        }
        if (p.ValueType == typeof(bool))
        {
            bool flipped = !(bool)current!;
            return (flipped, [p.Flag, flipped ? "true" : "false"]);
        }
        double d = current is null ? 0 : Convert.ToDouble(current, CultureInfo.InvariantCulture);
        var (min, max, _, _) = p.Range;
        foreach (var candidate in new[] { d + 1, d * 2, d / 2, d - 1, (min + max) / 2, min + 1, 0.5 })
        {
            if (candidate == d || (p.IsInteger && candidate != Math.Round(candidate))) continue;
            var value = Convert.ChangeType(candidate, p.ValueType, CultureInfo.InvariantCulture);
            if (p.IsValid(value)) return (value, [p.Flag, HyperParameter.Format(value)]);
        }
        throw new AssertFailedException($"{p.Name}: no other valid value found");
    }

    /// <summary>A value just outside the declared range, or null when every value of the type is valid.</summary>
    private static object? OutOfRange(HyperParameter p)
    {
        if (p.ValueType == typeof(bool)) return null;
        if (p.ValueType.IsEnum) return Enum.ToObject(p.ValueType, 97);
        var (min, max, _, _) = p.Range;
        double bad = double.IsFinite(min) ? min - 1 : double.IsFinite(max) ? max + 1 : double.NaN;
        if (double.IsNaN(bad) && p.IsInteger) return null;
        return Convert.ChangeType(bad, p.ValueType, CultureInfo.InvariantCulture);
    }

    /// <summary>Validate() of a fresh options object with <paramref name="value"/> throws naming the option.</summary>
    private static void AssertRejected(Type type, HyperParameter p, object value)
    {
        Action validate;
        if (type == typeof(PrivacyOptions))
        {
            var privacy = new PrivacyOptions { SensitiveAttributes = SensitiveAttributes.FromSpec(_sensitive) };
            p.SetValue(privacy, value);
            validate = privacy.Validate;
        }
        else
        {
            var options = (RecommenderTrainerOptions)Activator.CreateInstance(type)!;
            p.SetValue(options, value);
            validate = options.Validate;
        }
        var e = Assert.ThrowsExactly<ArgumentOutOfRangeException>(validate, $"{type.Name}.{p.Name} = {value}");
        Assert.AreEqual(p.Name, e.ParamName);
        StringAssert.Contains(e.Message, $"Option {p.Name} {p.Requirement}");
    }
}
