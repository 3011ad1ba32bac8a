using MLNet.Adversarial.Data;
using MLNet.Adversarial.Models;

namespace MLNet.Adversarial.Evaluation;

/// <summary>
/// Scores an evaluation catalogue with any <see cref="IRecommenderModel"/> whose vocabularies may differ from it.
/// Users the model lacks are scored as the model scores an unknown user (index -1). Items the model lacks score
/// -inf (they rank last) unless the model is a <see cref="FactorizationModel"/>, a <see cref="HybridFactorizationModel"/>
/// or a <see cref="CfganModel"/>, which score them with their fallback item row, as their ONNX exports do.
/// </summary>
public sealed class RecommenderModelScorer : IItemScorer
{
    private readonly IRecommenderModel _model;
    private readonly int[] _userMap;
    private readonly int[] _itemMap;
    private readonly bool _sameItems;
    private readonly FactorizationModelScorer? _factorization;

    /// <summary>Adapts <paramref name="model"/> to the evaluation vocabularies <paramref name="users"/> and <paramref name="items"/>.</summary>
    public RecommenderModelScorer(IRecommenderModel model, IdVocabulary users, IdVocabulary items)
    {
        _model = model ?? throw new ArgumentNullException(nameof(model));
        ArgumentNullException.ThrowIfNull(users);
        ArgumentNullException.ThrowIfNull(items);
        if (model is FactorizationModel mf) _factorization = new FactorizationModelScorer(mf, users, items);
        else if (model is HybridFactorizationModel hybrid) _factorization = new FactorizationModelScorer(hybrid.Effective, users, items);
        _userMap = Map(model.Users, users);
        _itemMap = Map(model.Items, items);
        _sameItems = model.Items.Equals(items);
    }

    /// <inheritdoc />
    public int ItemCount => _itemMap.Length;

    /// <inheritdoc />
    public void ScoreAllItems(int user, Span<float> scores)
    {
        if (_factorization is not null)
        {
            _factorization.ScoreAllItems(user, scores);
            return;
        }
        if (scores.Length != _itemMap.Length) throw new ArgumentException($"Expected a buffer of {_itemMap.Length} scores.", nameof(scores));
        if (_sameItems)
        {
            _model.ScoreAllItems(_userMap[user], scores);
            return;
        }
        var modelScores = new float[_model.Items.Count];
        _model.ScoreAllItems(_userMap[user], modelScores);
        float unknownItem = _model is CfganModel cfgan ? cfgan.Score(_userMap[user], -1) : float.NegativeInfinity;
        for (int i = 0; i < scores.Length; i++)
            scores[i] = _itemMap[i] < 0 ? unknownItem : modelScores[_itemMap[i]];
    }

    internal static int[] Map(IdVocabulary model, IdVocabulary evaluation)
    {
        var map = new int[evaluation.Count];
        for (int i = 0; i < map.Length; i++) map[i] = model.IndexOf(evaluation, i);
        return map;
    }
}
