using MLNet.Adversarial.Data;
using MLNet.Adversarial.Models;
using MLNet.Adversarial.Training;

namespace MLNet.Adversarial.Tests.Training;

/// <summary>
/// A phase that starts from the previous phase's best model (APR after a plateaued BPR warm-up, IRGAN's game): the
/// loop hands the trainer that model, records the epoch it came from, and a refit's schedule replays the same path.
/// </summary>
[TestClass]
public sealed class PhaseStartTests
{
    // The fake's one weight counts the epochs it has trained on top of where it started; validation reads a script.
    private sealed class CountingTrainer(bool startsFromBest) : IEpochTrainer
    {
        private static readonly IdVocabulary One = IdVocabulary.FromInt64([1]);
        public float Weight;
        public float? EnteredWith;
        public IReadOnlyList<TrainingPhase> Phases { get; } =
            [new("warm-up", 100, EndsOnPlateau: true, Selectable: false), new("main", 0, false, true, StartsFromPreviousBest: startsFromBest)];
        public string DivergenceAdvice => "n/a";
        public EpochOutcome RunEpoch(int epoch, int phase, int? nextEpoch, CancellationToken cancellation) { Weight++; return new EpochOutcome(0.5, 1, Adversarial: false); }
        public IRecommenderModel Snapshot() => new FactorizationModel(One, One, 1, [Weight], [1f], [0f]);
        public void EnterPhase(int phase, IRecommenderModel? start)
        {
            if (start is null) return;
            EnteredWith = ((FactorizationModel)start).UserFactors[0];
            Weight = EnteredWith.Value;
        }
        public void WriteState(BinaryWriter writer) => writer.Write(Weight);
        public void ReadState(BinaryReader reader) => Weight = reader.ReadSingle();
        public void Dispose() { }
    }

    // Validation by epoch: the warm-up peaks at epoch 3 and plateaus (patience 2 ends it after epoch 5); the main
    // phase peaks at epoch 8 and early stopping ends it after epoch 10.
    private static readonly double[] Script = [0, 0.1, 0.2, 0.3, 0.25, 0.24, 0.31, 0.32, 0.4, 0.35, 0.33, 0.3, 0.3];

    private static (TrainingResult<IRecommenderModel> Result, CountingTrainer Trainer) Run(bool startsFromBest, TrainingSchedule? replay = null)
    {
        var trainer = new CountingTrainer(startsFromBest);
        int epoch = 0;
        var request = new TrainingRequest
        {
            MaxEpochs = 50, Settings = new Dictionary<string, string>(), Patience = 2, Replay = replay,
            Validate = replay is null ? _ => Script[++epoch] : null,
        };
        var data = InteractionData.FromIndices(IdVocabulary.FromInt64([1]), IdVocabulary.FromInt64([1]), [0], [0]);
        var result = TrainingLoop.Run(trainer, data, request, out _);
        return (result, trainer);
    }

    [TestMethod]
    public void ThePhaseStartsFromThePreviousPhasesBestModel()
    {
        var (result, trainer) = Run(startsFromBest: true);
        CollectionAssert.AreEqual(new[] { 5 }, result.PhaseSwitchEpochs.ToArray(), "the plateau ends the warm-up after epoch 5");
        Assert.AreEqual(3f, trainer.EnteredWith, "the main phase gets the model of the warm-up's best epoch (3)");
        CollectionAssert.AreEqual(new[] { 3 }, result.PhaseStartEpochs!.ToArray());
        Assert.AreEqual(8, result.SelectedEpoch);
        Assert.AreEqual(6f, ((FactorizationModel)result.Model).UserFactors[0], "3 warm-up epochs, then 3 of the main phase");
    }

    [TestMethod]
    public void TheRefitScheduleReplaysThePathOfTheSelectedModel()
    {
        var (selected, _) = Run(startsFromBest: true);
        var schedule = selected.Schedule();
        CollectionAssert.AreEqual(new[] { 3 }, schedule.PhaseEnds.ToArray(), "the warm-up runs to the epoch the main phase started from");
        Assert.AreEqual(6, schedule.Epochs, "then as many main-phase epochs as the selected model had");
        var (refit, trainer) = Run(startsFromBest: true, schedule);
        Assert.AreEqual(6, refit.History.Count);
        Assert.AreEqual(((FactorizationModel)selected.Model).UserFactors[0], trainer.Weight, "the refit retraces the selected model's epochs");
    }

    [TestMethod]
    public void APhaseThatContinuesKeepsTheTrainersStateAndTheSwitchEpoch()
    {
        var (result, trainer) = Run(startsFromBest: false);
        Assert.IsNull(trainer.EnteredWith, "no start model is handed over");
        CollectionAssert.AreEqual(new[] { 5 }, result.PhaseStartEpochs!.ToArray());
        var schedule = result.Schedule();
        CollectionAssert.AreEqual(new[] { 5 }, schedule.PhaseEnds.ToArray());
        Assert.AreEqual(result.SelectedEpoch, schedule.Epochs);
    }
}
