//! Column shapes shared by the migrations, so each table reads as a list of its columns.

use sea_orm_migration::prelude::*;

/// A table or column name.
pub fn n(name: &'static str) -> Alias {
    Alias::new(name)
}

/// A UUID primary key stored as text.
pub fn id() -> ColumnDef {
    ColumnDef::new(n("id"))
        .string_len(36)
        .not_null()
        .primary_key()
        .to_owned()
}

/// A UUID reference stored as text.
pub fn uuid_col(name: &'static str, nullable: bool) -> ColumnDef {
    let mut c = ColumnDef::new(n(name));
    c.string_len(36);
    if nullable {
        c.null()
    } else {
        c.not_null()
    };
    c.to_owned()
}

/// Short text.
pub fn string(name: &'static str, nullable: bool) -> ColumnDef {
    let mut c = ColumnDef::new(n(name));
    c.string_len(255);
    if nullable {
        c.null()
    } else {
        c.not_null()
    };
    c.to_owned()
}

/// Long text (descriptions, JSON lists, decimal amounts).
pub fn text(name: &'static str, nullable: bool) -> ColumnDef {
    let mut c = ColumnDef::new(n(name));
    c.text();
    if nullable {
        c.null()
    } else {
        c.not_null()
    };
    c.to_owned()
}

/// An instant in UTC.
pub fn at(name: &'static str, nullable: bool) -> ColumnDef {
    let mut c = ColumnDef::new(n(name));
    c.timestamp_with_time_zone();
    if nullable {
        c.null()
    } else {
        c.not_null()
    };
    c.to_owned()
}

/// A 32-bit integer.
pub fn int(name: &'static str, nullable: bool) -> ColumnDef {
    let mut c = ColumnDef::new(n(name));
    c.integer();
    if nullable {
        c.null()
    } else {
        c.not_null()
    };
    c.to_owned()
}

/// A 64-bit integer.
pub fn bigint(name: &'static str) -> ColumnDef {
    ColumnDef::new(n(name)).big_integer().not_null().to_owned()
}

/// A double (weights, strengths, coordinates, scores: never money).
pub fn double(name: &'static str, nullable: bool) -> ColumnDef {
    let mut c = ColumnDef::new(n(name));
    c.double();
    if nullable {
        c.null()
    } else {
        c.not_null()
    };
    c.to_owned()
}

/// A boolean.
pub fn boolean(name: &'static str) -> ColumnDef {
    ColumnDef::new(n(name)).boolean().not_null().to_owned()
}

/// A foreign key from `table.column` to `target.id`.
pub fn fk(
    table: &'static str,
    column: &'static str,
    target: &'static str,
) -> ForeignKeyCreateStatement {
    ForeignKey::create()
        .name(format!("fk_{table}_{column}"))
        .from(n(table), n(column))
        .to(n(target), n("id"))
        .on_delete(ForeignKeyAction::Restrict)
        .to_owned()
}

/// An index over columns of a table, unique or not.
pub fn index(table: &'static str, columns: &[&'static str], unique: bool) -> IndexCreateStatement {
    let mut i = Index::create();
    i.name(index_name(table, columns, unique)).table(n(table));
    for c in columns {
        i.col(n(c));
    }
    if unique {
        i.unique();
    }
    i.to_owned()
}

fn index_name(table: &str, columns: &[&str], unique: bool) -> String {
    format!(
        "{}_{}_{}",
        if unique { "uq" } else { "ix" },
        table,
        columns.join("_")
    )
}

/// Drops the plain index that [`index`] made on `table`'s `columns`.
pub fn drop_index(table: &'static str, columns: &[&'static str]) -> IndexDropStatement {
    Index::drop()
        .name(index_name(table, columns, false))
        .table(n(table))
        .to_owned()
}

/// Creates a table and its indexes.
pub async fn create(
    manager: &SchemaManager<'_>,
    table: TableCreateStatement,
    indexes: Vec<IndexCreateStatement>,
) -> Result<(), DbErr> {
    manager.create_table(table).await?;
    for i in indexes {
        manager.create_index(i).await?;
    }
    Ok(())
}

/// Drops tables, in the order given.
pub async fn drop(manager: &SchemaManager<'_>, tables: &[&'static str]) -> Result<(), DbErr> {
    for t in tables {
        manager
            .drop_table(Table::drop().table(n(t)).to_owned())
            .await?;
    }
    Ok(())
}
