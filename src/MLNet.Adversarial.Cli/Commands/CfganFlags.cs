using System.CommandLine;
using MLNet.Adversarial.Models;
using MLNet.Adversarial.Trainers;

namespace MLNet.Adversarial.Cli.Commands;

/// <summary>
/// The flags of <c>train --trainer cfgan</c>. CFGAN shares <c>--epochs</c> (its rounds), <c>--patience</c> and IRGAN's
/// <c>--g-lr</c>/<c>--d-lr</c> with the other trainers; those keep the CFGAN defaults unless they are given.
/// </summary>
internal sealed class CfganFlags
{
    private static CfganTrainer.Options Defaults { get; } = new();

    public readonly Option<bool> ItemBased = new("--item-based") { Description = "CFGAN: G maps items' purchase vectors over the users (the authors' MovieLens setting) instead of users' (no purchase-vector.onnx then)." };
    public readonly Option<int> GeneratorHidden = new("--g-hidden") { Description = "CFGAN: units of each hidden layer of G.", DefaultValueFactory = _ => Defaults.GeneratorHiddenSize, HelpName = "N" };
    public readonly Option<int> DiscriminatorHidden = new("--d-hidden") { Description = "CFGAN: units of each hidden layer of D.", DefaultValueFactory = _ => Defaults.DiscriminatorHiddenSize, HelpName = "N" };
    public readonly Option<int> GeneratorSteps = new("--g-steps") { Description = "CFGAN: passes of G over the users per round.", DefaultValueFactory = _ => Defaults.GeneratorSteps, HelpName = "N" };
    public readonly Option<int> DiscriminatorSteps = new("--d-steps") { Description = "CFGAN: passes of D over the users per round.", DefaultValueFactory = _ => Defaults.DiscriminatorSteps, HelpName = "N" };
    public readonly Option<double> PartialMasking = new("--pm-ratio") { Description = "CFGAN: share of unpurchased items in the partial-masking mask (0: no PM).", DefaultValueFactory = _ => Defaults.PartialMaskingRatio };
    public readonly Option<double> ZeroReconstruction = new("--zr-ratio") { Description = "CFGAN: share of unpurchased items pushed to 0 by zero reconstruction (0: no ZR).", DefaultValueFactory = _ => Defaults.ZeroReconstructionRatio };
    public readonly Option<double> ZeroReconstructionWeight = new("--zr-weight") { Description = "CFGAN: α, the weight of the zero-reconstruction term.", DefaultValueFactory = _ => Defaults.ZeroReconstructionWeight };
    public readonly Option<int> GeneratorBatch = new("--g-batch") { Description = "CFGAN: rows per generator step.", DefaultValueFactory = _ => Defaults.GeneratorBatchSize, HelpName = "N" };
    public readonly Option<int> DiscriminatorBatch = new("--d-batch") { Description = "CFGAN: rows per discriminator step.", DefaultValueFactory = _ => Defaults.DiscriminatorBatchSize, HelpName = "N" };
    public readonly Option<double> GeneratorAveraging = new("--g-averaging") { Description = "CFGAN: decay of the moving average of G's weights that is served (0: the last weights).", DefaultValueFactory = _ => Defaults.GeneratorAveragingDecay, HelpName = "D" };
    public readonly Option<double> ConditionDropout = new("--condition-dropout") { Description = "CFGAN: share of purchases hidden from G's input while training (0: off).", DefaultValueFactory = _ => Defaults.ConditionDropout };

    /// <summary>The options, in the order the help lists them.</summary>
    public IEnumerable<Option> All => [ItemBased, GeneratorHidden, DiscriminatorHidden, GeneratorSteps, DiscriminatorSteps, GeneratorBatch, DiscriminatorBatch, PartialMasking, ZeroReconstruction, ZeroReconstructionWeight, GeneratorAveraging, ConditionDropout];

    /// <summary>
    /// CFGAN options: the shared data, validation, progress and serving options of <paramref name="common"/>, the
    /// CFGAN flags, and the shared flags <paramref name="epochs"/>, <paramref name="patience"/>, <paramref name="generatorLr"/>
    /// and <paramref name="discriminatorLr"/> when they were given.
    /// </summary>
    public CfganTrainer.Options Create(CommandContext c, RecommenderTrainerOptions common, Option<int> epochs, Option<int> patience,
        Option<double> generatorLr, Option<double> discriminatorLr)
    {
        var o = new CfganTrainer.Options
        {
            MinRating = common.MinRating, RatingColumnName = common.RatingColumnName, Seed = common.Seed, TopK = common.TopK,
            NumberOfThreads = common.NumberOfThreads, Progress = common.Progress, ValidationData = common.ValidationData,
            CancellationToken = common.CancellationToken,
            Orientation = c.Get(ItemBased) ? CfganOrientation.ItemBased : CfganOrientation.UserBased,
            GeneratorHiddenSize = c.Get(GeneratorHidden), DiscriminatorHiddenSize = c.Get(DiscriminatorHidden),
            GeneratorSteps = c.Get(GeneratorSteps), DiscriminatorSteps = c.Get(DiscriminatorSteps),
            GeneratorBatchSize = c.Get(GeneratorBatch), DiscriminatorBatchSize = c.Get(DiscriminatorBatch), GeneratorAveragingDecay = c.Get(GeneratorAveraging),
            PartialMaskingRatio = c.Get(PartialMasking), ZeroReconstructionRatio = c.Get(ZeroReconstruction),
            ZeroReconstructionWeight = c.Get(ZeroReconstructionWeight), ConditionDropout = c.Get(ConditionDropout),
        };
        if (Given(c, epochs)) o.Epochs = c.Get(epochs);
        if (Given(c, patience)) o.EarlyStoppingPatience = c.Get(patience);
        if (Given(c, generatorLr)) o.GeneratorLearningRate = c.Get(generatorLr);
        if (Given(c, discriminatorLr)) o.DiscriminatorLearningRate = c.Get(discriminatorLr);
        return o;
    }

    /// <summary>Whether the flag was on the command line (not just its default, which belongs to another trainer).</summary>
    private static bool Given<T>(CommandContext c, Option<T> option) => c.Parse.GetResult(option) is { Implicit: false };
}
