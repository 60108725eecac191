//! Type rules of the scalar (row) functions: `lower`, `round`, `coalesce`, `date_diff`, ….

use super::ast::{Call, Pos};
use super::check::{arity, compile, date_part_arg, func_node, Scope, Ty};
use super::eval::{Func, Node};
use super::FormulaError;
use crate::value::DataType;

pub fn compile_scalar(
    call: &Call,
    scope: &mut dyn Scope,
    pos: Pos,
) -> Result<(Node, Ty), FormulaError> {
    match call.name.as_str() {
        "lower" => one_typed(call, scope, pos, Func::Lower, DataType::String),
        "upper" => one_typed(call, scope, pos, Func::Upper, DataType::String),
        "trim" => one_typed(call, scope, pos, Func::Trim, DataType::String),
        "abs" => one_typed(call, scope, pos, Func::Abs, DataType::Number),
        "round" => round(call, scope, pos),
        "coalesce" | "greatest" | "least" => variadic(call, scope, pos),
        "nullif" => nullif(call, scope, pos),
        "date_diff" | "datediff" => date_diff(call, scope, pos),
        _ => date_trunc(call, scope, pos),
    }
}

fn typed_args(call: &Call, scope: &mut dyn Scope) -> Result<Vec<(Node, Ty)>, FormulaError> {
    call.args.iter().map(|a| compile(a, scope)).collect()
}

fn need(ty: Ty, want: DataType, call: &Call, index: usize) -> Result<(), FormulaError> {
    match ty {
        Some(t) if t != want => Err(FormulaError::new(
            format!("`{}` needs a {want} here, not a {t}", call.name),
            call.args[index].pos,
        )),
        _ => Ok(()),
    }
}

fn one_typed(
    call: &Call,
    scope: &mut dyn Scope,
    pos: Pos,
    func: Func,
    ty: DataType,
) -> Result<(Node, Ty), FormulaError> {
    arity(call, 1, 1, pos)?;
    let (node, t) = compile(&call.args[0], scope)?;
    need(t, ty, call, 0)?;
    Ok((func_node(func, vec![node]), Some(ty)))
}

fn round(call: &Call, scope: &mut dyn Scope, pos: Pos) -> Result<(Node, Ty), FormulaError> {
    arity(call, 1, 2, pos)?;
    let args = typed_args(call, scope)?;
    for (i, (_, t)) in args.iter().enumerate() {
        need(*t, DataType::Number, call, i)?;
    }
    Ok((
        func_node(Func::Round, args.into_iter().map(|a| a.0).collect()),
        Some(DataType::Number),
    ))
}

/// coalesce / greatest / least: every argument of one type (dates and datetimes mix).
fn variadic(call: &Call, scope: &mut dyn Scope, pos: Pos) -> Result<(Node, Ty), FormulaError> {
    arity(call, 1, usize::MAX, pos)?;
    let args = typed_args(call, scope)?;
    let mut ty: Ty = None;
    for (i, (_, t)) in args.iter().enumerate() {
        ty = match (ty, *t) {
            (None, t) | (t, None) => t,
            (Some(a), Some(b)) if a == b => Some(a),
            (Some(a), Some(b)) if a.is_temporal() && b.is_temporal() => Some(DataType::DateTime),
            (Some(a), Some(b)) => {
                return Err(FormulaError::new(
                    format!("`{}` mixes a {a} and a {b}", call.name),
                    call.args[i].pos,
                ))
            }
        };
    }
    let func = match call.name.as_str() {
        "coalesce" => Func::Coalesce,
        "greatest" => Func::Greatest,
        _ => Func::Least,
    };
    Ok((func_node(func, args.into_iter().map(|a| a.0).collect()), ty))
}

fn nullif(call: &Call, scope: &mut dyn Scope, pos: Pos) -> Result<(Node, Ty), FormulaError> {
    arity(call, 2, 2, pos)?;
    let args = typed_args(call, scope)?;
    let ty = args[0].1;
    Ok((
        func_node(Func::NullIf, args.into_iter().map(|a| a.0).collect()),
        ty,
    ))
}

fn temporal_arg(
    call: &Call,
    scope: &mut dyn Scope,
    index: usize,
) -> Result<(Node, Ty), FormulaError> {
    let (node, ty) = compile(&call.args[index], scope)?;
    match ty {
        Some(t) if !t.is_temporal() => Err(FormulaError::new(
            format!("`{}` needs a date or datetime here, not a {t}", call.name),
            call.args[index].pos,
        )),
        _ => Ok((node, ty)),
    }
}

fn date_diff(call: &Call, scope: &mut dyn Scope, pos: Pos) -> Result<(Node, Ty), FormulaError> {
    arity(call, 3, 3, pos)?;
    let part = date_part_arg(call.args.first(), pos)?;
    let (start, _) = temporal_arg(call, scope, 1)?;
    let (end, _) = temporal_arg(call, scope, 2)?;
    let args = vec![Node::Const(super::eval::Val::Null), start, end];
    Ok((
        func_node(Func::DateDiff(part), args),
        Some(DataType::Number),
    ))
}

fn date_trunc(call: &Call, scope: &mut dyn Scope, pos: Pos) -> Result<(Node, Ty), FormulaError> {
    arity(call, 2, 2, pos)?;
    let part = date_part_arg(call.args.first(), pos)?;
    let (value, ty) = temporal_arg(call, scope, 1)?;
    let args = vec![Node::Const(super::eval::Val::Null), value];
    Ok((func_node(Func::DateTrunc(part), args), ty))
}
